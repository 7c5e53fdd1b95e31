// File helpers that never leave a half-written file behind.
#ifndef KONG_BASE_FILES_H_
#define KONG_BASE_FILES_H_

#include <string>
#include <string_view>

#include "kong/status.h"

namespace kong::base {

// Writes `data` to `path` atomically: a temporary file in the same folder with `mode`, fsync,
// rename over `path`, fsync of the folder. Readers see the old file or the new one, never a
// mix. With `exclusive`, fails with kConflict if `path` exists (checked again at rename time
// through link(2), so a racing writer cannot be overwritten either).
Status AtomicWriteFile(const std::string& path, std::string_view data, unsigned mode,
                       bool exclusive = false);

// The whole file, or kNotFound / kIo / kPermissionDenied naming the path.
Result<std::string> ReadFile(const std::string& path);

bool PathExists(const std::string& path);

// `path` made absolute against the current directory (no symlink resolution, like
// Penlight's abspath); "" stays "".
std::string AbsolutePath(const std::string& path);

// errno as a Status: "<what>: <strerror>", code chosen from errno.
Status ErrnoStatus(int err, const std::string& what);

}  // namespace kong::base

#endif  // KONG_BASE_FILES_H_
