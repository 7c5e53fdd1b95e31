// The prefix files of a node process (include/kong/node_files.h).
#include "kong/node_files.h"

#include <cstdlib>
#include <string>

#include "api/node_identity.h"
#include "base/files.h"
#include "base/macros.h"
#include "conf/properties.h"

namespace kong {
namespace {

constexpr char kConfPathComment[] = "# conf_path = ";

// Kong resolves relative log paths against the prefix; the process's own streams stay as is.
std::string ResolveLogPath(const std::string& prefix, const std::string& value) {
  if (value.empty() || value[0] == '/') return value;
  return prefix + "/" + value;
}

std::string FolderOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? std::string() : path.substr(0, slash);
}

bool IsProcessStream(const std::string& path) {
  return path == "/dev/stdout" || path == "/dev/stderr";
}

}  // namespace

NodeFiles NodeFilesInPrefix(const std::string& prefix) {
  NodeFiles files;
  files.prefix = base::AbsolutePath(prefix);
  while (files.prefix.size() > 1 && files.prefix.back() == '/') files.prefix.pop_back();
  files.pid_file = files.prefix + "/pids/nginx.pid";
  files.kong_env = files.prefix + "/.kong_env";
  return files;
}

NodeFiles NodeFilesOf(const Conf& conf) {
  NodeFiles files = NodeFilesInPrefix(conf.GetString("prefix"));
  files.error_log = ResolveLogPath(files.prefix, conf.GetString("proxy_error_log"));
  const std::string access = conf.GetString("proxy_access_log");
  // Kong's nginx takes "off" (and "off" with a format) to disable the log.
  if (!access.empty() && access != "off" && access.rfind("off ", 0) != 0) {
    files.access_log = ResolveLogPath(files.prefix, access);
  }
  return files;
}

Status PrepareNodeFiles(const NodeFiles& files) {
  KONG_RETURN_IF_ERROR(api::EnsureFolder(files.prefix));
  for (const std::string* path : {&files.pid_file, &files.error_log, &files.access_log}) {
    if (path->empty() || IsProcessStream(*path)) continue;
    std::string folder = FolderOf(*path);
    if (!folder.empty()) KONG_RETURN_IF_ERROR(api::EnsureFolder(folder));
  }
  return Status::Ok();
}

Status WriteKongEnv(const Conf& conf, const std::string& path) {
  std::string text = std::string(kConfPathComment) + conf.path() + "\n";
  for (const auto& [name, value] : conf.Entries(/*redact_secrets=*/false)) {
    const conf::PropertyDef* def = conf::FindProperty(name);
    if (def != nullptr && def->secret) continue;
    // Inline PEM (a certificate given as its text) is not a single line: keep the file a
    // kong.conf that reads back.
    if (value.find('\n') != std::string::npos) continue;
    text += name + " = " + value + "\n";
  }
  return base::AtomicWriteFile(path, text, 0600);
}

Result<std::string> ReadKongEnvConfPath(const std::string& path) {
  KONG_ASSIGN_OR_RETURN(std::string text, base::ReadFile(path));
  if (text.rfind(kConfPathComment, 0) != 0) return std::string();
  size_t start = sizeof kConfPathComment - 1;
  size_t end = text.find('\n', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Status WritePidFile(const std::string& path, long pid) {
  return base::AtomicWriteFile(path, std::to_string(pid) + "\n", 0644);
}

Result<long> ReadPidFile(const std::string& path) {
  KONG_ASSIGN_OR_RETURN(std::string text, base::ReadFile(path));
  char* end = nullptr;
  long pid = std::strtol(text.c_str(), &end, 10);
  while (end != nullptr && (*end == '\n' || *end == ' ')) ++end;
  if (pid <= 0 || end == nullptr || *end != '\0') {
    return Status::InvalidArgument("pid file " + path + " does not hold a process id");
  }
  return pid;
}

}  // namespace kong
