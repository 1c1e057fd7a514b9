import MBRLCommandLine
import UserEnvironments

MBRLCommandLine.main(registry: .withUserEnvironments)
