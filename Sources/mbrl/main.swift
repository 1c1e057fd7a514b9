// The `mbrl` tool: every command over the built-in environments.
import MBRLCommandLine

MBRLCommandLine.main()
