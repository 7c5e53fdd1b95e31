// Prefix folder creation and the persistent node id (<prefix>/kong.id).
#include "api/node_identity.h"

#include <sys/stat.h>

#include <cerrno>

#include "base/files.h"
#include "base/text.h"
#include "schema/uuid.h"

namespace kong::api {

Status EnsureFolder(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("prefix is empty");
  // Walk down from the root so each missing parent is created before its child.
  for (size_t pos = path.find('/', 1);; pos = path.find('/', pos + 1)) {
    std::string part = path.substr(0, pos);
    if (!part.empty() && mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) {
      return base::ErrnoStatus(errno, "could not create directory " + part);
    }
    if (pos == std::string::npos) break;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return base::ErrnoStatus(errno, "stat " + path);
  if (!S_ISDIR(st.st_mode)) return Status::Io("prefix " + path + " is not a directory");
  return Status::Ok();
}

Result<std::string> LoadOrCreateNodeId(const std::string& prefix, const std::string& configured,
                                       const std::function<void(const std::string&)>& warn) {
  if (!configured.empty()) return base::ToLower(configured);
  const std::string path = prefix + "/kong.id";
  Result<std::string> stored = base::ReadFile(path);
  if (stored.ok()) {
    std::string id(base::Trim(*stored));
    if (schema::IsUuid(id)) return base::ToLower(id);
    if (warn) warn("file contains invalid uuid: " + path + "; generating a new node id");
  } else if (stored.status().code() != StatusCode::kNotFound) {
    return stored.status();
  }
  std::string id = schema::NewUuidV4();
  Status written = base::AtomicWriteFile(path, id, 0644);
  if (!written.ok()) return Status(written.code(), "could not write node id: " + written.message());
  return id;
}

}  // namespace kong::api
