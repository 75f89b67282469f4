// The tribune executable: subcommands (serve, admin create, token create, demo seed) wired from the
// subsystems. main() only calls Main().
#pragma once

namespace tribune::app {

// Returns the process exit code.
int Main(int argc, char** argv);

}  // namespace tribune::app
