#pragma once
// What /proc says about another process: resident memory, CPU time used, open files. Linux
// only; every function returns a negative value when the process or the field is not there.

#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace illhub::bench {

/// VmRSS from /proc/PID/status, in KiB.
inline long vm_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

/// Fields of /proc/PID/stat after the command name: [0] is field 3 (state), [1] the parent's
/// PID, [11] utime, [12] stime, [13] cutime, [14] cstime (clock ticks).
inline bool proc_stat(pid_t pid, long (&fields)[15]) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 2));
  std::string state;
  rest >> state;
  fields[0] = 0;
  for (int i = 1; i < 15; ++i)
    if (!(rest >> fields[i])) return false;
  return true;
}

/// User and system CPU seconds of `pid` itself.
inline double cpu_seconds(pid_t pid) {
  long f[15];
  if (!proc_stat(pid, f)) return -1;
  return static_cast<double>(f[11] + f[12]) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// CPU seconds of `parent`, its live children and the children it has already reaped (for
/// the postmaster: every backend, including those of connections that have closed).
inline double tree_cpu_seconds(pid_t parent) {
  long f[15];
  if (!proc_stat(parent, f)) return -1;
  long ticks = f[11] + f[12] + f[13] + f[14];
  if (DIR* proc = ::opendir("/proc")) {
    while (const dirent* e = ::readdir(proc)) {
      const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
      long c[15];
      if (pid > 0 && proc_stat(pid, c) && c[1] == parent) ticks += c[11] + c[12];
    }
    ::closedir(proc);
  }
  return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// Open file descriptors of `pid` (entries of /proc/PID/fd).
inline long open_fds(pid_t pid) {
  DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (!dir) return -1;
  long n = 0;
  while (const dirent* e = ::readdir(dir))
    if (e->d_name[0] != '.') ++n;
  ::closedir(dir);
  return n;
}

}  // namespace illhub::bench
