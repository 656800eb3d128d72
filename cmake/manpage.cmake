# Writes the man page migsim(1): `migsim --help-man`, which the command line
# generates from its command table. A binary without --help-man (older
# command lines) gets a page wrapping its --help text, which comes from the
# same table.
# usage: cmake -DMIGSIM=path/to/migsim -DVERSION=x.y.z -DOUTPUT=migsim.1 -P manpage.cmake
execute_process(COMMAND ${MIGSIM} --help-man OUTPUT_VARIABLE page RESULT_VARIABLE status
                ERROR_QUIET)
if(NOT status EQUAL 0 OR NOT page MATCHES "^[.'\\\\]")
  execute_process(COMMAND ${MIGSIM} --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${MIGSIM} --help failed")
  endif()
  string(REPLACE "\\" "\\e" help "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
  string(TIMESTAMP today "%Y-%m-%d" UTC)
  set(page ".TH MIGSIM 1 \"${today}\" \"migsim ${VERSION}\" \"User Commands\"
.SH NAME
migsim \\- agent-based simulator of migration into and within Kazakhstan
.SH SYNOPSIS
.B migsim
\\fICOMMAND\\fR [\\fIoptions\\fR]
.SH DESCRIPTION
.nf
${help}.fi
.SH FILES
Scenarios with their data and targets are installed under
\\fIshare/migsim/scenarios\\fR of the installation prefix.
")
endif()
file(WRITE ${OUTPUT}.tmp "${page}")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
