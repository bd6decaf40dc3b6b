# ILLHUB_SANITIZE=ON builds everything (generated code included) with ASan and UBSan,
# and makes any UBSan finding fatal so tests fail on it.
if(ILLHUB_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
