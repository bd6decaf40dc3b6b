#pragma once
// Idle connections: what illd's memory grows by per open, silent peer connection. Opens K TCP
// connections to illd, each from the loopback address of its own registered peer (so illd
// accepts it, knows the peer at once and keeps it), waits until illd holds them all and has
// gone quiet, and compares illd's VmRSS before and after.

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace illhub::bench {

/// Idle peer `index` (0-based): symbol BEN:I<index>, connecting from 127.3.x.y.
std::string idle_symbol(int index);
std::string idle_address(int index);

struct IdleResult {
  int opened = 0;           ///< connections established
  int kept = 0;             ///< of those, still open (not closed by illd) when measured
  long rss_before_kib = 0;  ///< illd's VmRSS before the first connection
  long rss_after_kib = 0;   ///< ... once all were accepted and illd was quiet again
  double seconds = 0;       ///< from the first connect to the measurement
  std::string error;        ///< why the measurement is not valid, if it is not
  double kib_per_connection() const {
    return kept > 0 ? static_cast<double>(rss_after_kib - rss_before_kib) / kept : 0;
  }
};

/// Opens `count` idle connections to illd (process `illd`, 127.0.0.1:`port`), measures, and
/// closes them again. Every wait is bounded (about two minutes in all).
IdleResult measure_idle_connections(pid_t illd, std::uint16_t port, int count);

}  // namespace illhub::bench
