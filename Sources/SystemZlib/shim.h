// zlib (Debian: zlib1g-dev), for its CRC-32 (`crc32`): ZIPFoundation links
// zlib on Linux but computes CRC-32s with its own byte-wise loop there.
#include <zlib.h>
