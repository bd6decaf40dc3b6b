# Generates the ISO 10161 BER codec from asn1/ with Debian's asn1c 0.9.28, into the build tree:
# the protocol's module (ill.asn) and the extension payloads the profiles define, which import
# from it (apdu-delivery-info.asn, oclc-ill-request-extension.asn).
# Nothing generated is committed. The skeleton (asn1c's runtime support files) is copied and
# patched first: asn1/skeleton-fixes.patch fixes a decoder hang and a signed overflow
# (see asn1/ADAPTATIONS.md). Re-runs whenever the module or the patch changes.

find_program(ASN1C_EXECUTABLE asn1c REQUIRED)
find_program(PATCH_EXECUTABLE patch REQUIRED)

set(ILLHUB_ASN1_MODULE ${PROJECT_SOURCE_DIR}/asn1/ill.asn)
set(ILLHUB_ASN1_MODULES ${ILLHUB_ASN1_MODULE}
  ${PROJECT_SOURCE_DIR}/asn1/apdu-delivery-info.asn
  ${PROJECT_SOURCE_DIR}/asn1/oclc-ill-request-extension.asn)
set(ILLHUB_ASN1_PATCH ${PROJECT_SOURCE_DIR}/asn1/skeleton-fixes.patch)
set(ILLHUB_ASN1_SKELETONS_SRC /usr/share/asn1c)
set(ILLHUB_ASN1_SKELETONS ${CMAKE_BINARY_DIR}/asn1c-skeletons)
set(ILLHUB_ASN1_GEN_DIR ${CMAKE_BINARY_DIR}/asn1c-gen)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${ILLHUB_ASN1_MODULES} ${ILLHUB_ASN1_PATCH})

# Generate into a scratch directory and copy only what changed, so that re-configuring does not
# rebuild the whole codec.
set(ILLHUB_ASN1_SCRATCH ${CMAKE_BINARY_DIR}/asn1c-scratch)
file(REMOVE_RECURSE ${ILLHUB_ASN1_SKELETONS} ${ILLHUB_ASN1_SCRATCH})
file(COPY ${ILLHUB_ASN1_SKELETONS_SRC}/ DESTINATION ${ILLHUB_ASN1_SKELETONS})
execute_process(
  COMMAND ${PATCH_EXECUTABLE} -p1 --quiet --forward -i ${ILLHUB_ASN1_PATCH}
  WORKING_DIRECTORY ${ILLHUB_ASN1_SKELETONS}
  RESULT_VARIABLE patch_result)
if(NOT patch_result EQUAL 0)
  message(FATAL_ERROR "asn1/skeleton-fixes.patch does not apply to ${ILLHUB_ASN1_SKELETONS_SRC}: "
                      "is this asn1c 0.9.28? Update the patch for the installed asn1c.")
endif()

file(MAKE_DIRECTORY ${ILLHUB_ASN1_SCRATCH} ${ILLHUB_ASN1_GEN_DIR})
execute_process(
  COMMAND ${ASN1C_EXECUTABLE} -S ${ILLHUB_ASN1_SKELETONS} -fcompound-names -pdu=ILL-APDU
          ${ILLHUB_ASN1_MODULES}
  WORKING_DIRECTORY ${ILLHUB_ASN1_SCRATCH}
  RESULT_VARIABLE asn1c_result
  OUTPUT_VARIABLE asn1c_output
  ERROR_VARIABLE asn1c_errors)
if(NOT asn1c_result EQUAL 0)
  message(FATAL_ERROR "asn1c failed on ${ILLHUB_ASN1_MODULES}:\n${asn1c_errors}")
endif()

file(REMOVE ${ILLHUB_ASN1_SCRATCH}/converter-sample.c)
file(GLOB generated RELATIVE ${ILLHUB_ASN1_SCRATCH} ${ILLHUB_ASN1_SCRATCH}/*)
file(GLOB previous RELATIVE ${ILLHUB_ASN1_GEN_DIR} ${ILLHUB_ASN1_GEN_DIR}/*)
foreach(f IN LISTS previous)
  if(NOT f IN_LIST generated)
    file(REMOVE ${ILLHUB_ASN1_GEN_DIR}/${f})
  endif()
endforeach()
foreach(f IN LISTS generated)
  file(COPY_FILE ${ILLHUB_ASN1_SCRATCH}/${f} ${ILLHUB_ASN1_GEN_DIR}/${f} ONLY_IF_DIFFERENT)
endforeach()

# The source list is the one asn1c writes into Makefile.am.sample, minus its sample converter.
file(READ ${ILLHUB_ASN1_GEN_DIR}/Makefile.am.sample makefile_sample)
string(REGEX MATCHALL "[A-Za-z0-9_.-]+\\.c" asn1_sources "${makefile_sample}")
list(REMOVE_DUPLICATES asn1_sources)
list(REMOVE_ITEM asn1_sources converter-sample.c)
list(TRANSFORM asn1_sources PREPEND ${ILLHUB_ASN1_GEN_DIR}/)

add_library(illhub_asn1 STATIC ${asn1_sources})
set_target_properties(illhub_asn1 PROPERTIES C_STANDARD 99 POSITION_INDEPENDENT_CODE ON)
# asn_system.h defines _BSD_SOURCE, deprecated by glibc; _DEFAULT_SOURCE says the same quietly.
target_compile_definitions(illhub_asn1 PUBLIC _DEFAULT_SOURCE)
target_compile_options(illhub_asn1 PRIVATE -w)
target_include_directories(illhub_asn1 SYSTEM PUBLIC ${ILLHUB_ASN1_GEN_DIR})
