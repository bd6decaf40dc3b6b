# ILLHUB_SANITIZE=ON builds everything (generated code included) with ASan and UBSan,
# and makes any UBSan finding fatal so tests fail on it.
if(ILLHUB_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # Line tables are all a sanitizer report needs, and -O1 is what the sanitizers are meant
  # for: together they halve the compile time of a coroutine-heavy file (session.cpp: 71 s at
  # -O2 -g, 35 s at -O1 -g1, gcc 12), which is most of CI's sanitizer pass. These come after
  # the build type's -O2 -g, so they win. The fuzz targets keep -O2: executions per second.
  add_compile_options(-g1)
  if(NOT ILLHUB_FUZZ)
    add_compile_options(-O1)
  endif()
endif()
