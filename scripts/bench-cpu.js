// Preloaded by npm run bench into each run it times (NODE_OPTIONS=--import):
// at exit, the CPU time the process used, user and system, in microseconds,
// as one line of the log. Time waiting for a core that others hold is not
// in it, so it is steady on a shared machine where wall time is not.
process.on('exit', () => {
  const { userCPUTime, systemCPUTime } = process.resourceUsage()
  process.stderr.write(`bench-cpu-us ${userCPUTime + systemCPUTime}\n`)
})
