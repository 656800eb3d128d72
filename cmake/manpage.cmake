# Writes the man page migsim(1) from `migsim --help-man`, which the command
# line generates from its command table (the table behind --help).
# usage: cmake -DMIGSIM=path/to/migsim -DOUTPUT=migsim.1 -P manpage.cmake
execute_process(COMMAND ${MIGSIM} --help-man OUTPUT_VARIABLE page RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR NOT page MATCHES "^[.'\\\\]")
  message(FATAL_ERROR "${MIGSIM} --help-man did not write a man page")
endif()
file(WRITE ${OUTPUT}.tmp "${page}")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
