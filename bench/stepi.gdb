# gdb contender of `make bench`: step the program one instruction at a time
# from its first instruction (starti) until it exits, counting the steps.
# $_exitcode stays void while the program lives (gdb manual, "Convenience
# Variables"); the stepi that runs the final exit_group sets it.
set pagination off
set confirm off
set $umss_steps = 0
starti
while $_isvoid($_exitcode)
  stepi
  set $umss_steps = $umss_steps + 1
end
printf "umss-bench-steps %d\n", $umss_steps
