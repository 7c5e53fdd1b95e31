// Finding, signalling and spawning the node of a prefix.
#include "node_control.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "common/node_process.h"
#include "common/startup_pipe.h"

namespace kong::cli {
namespace {

bool IsFolder(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsExecutable(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// kongd next to this `kong` (an installation), then in the build tree's daemons/kongd; else
// "kongd" for a PATH search.
std::string KongdPath() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    std::string dir(self);
    dir = dir.substr(0, dir.rfind('/'));
    for (const std::string& candidate : {dir + "/kongd", dir + "/../kongd/kongd"}) {
      if (IsExecutable(candidate)) return candidate;
    }
  }
  return "kongd";
}

std::string ReadAll(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// In the child between fork and exec: only plain system calls.
[[noreturn]] void ExecKongd(const std::string& kongd, const std::vector<std::string>& args,
                            const std::string& error_log, int notify_fd) {
  ::setsid();
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
    if (error_log != "/dev/stdout") ::dup2(null_fd, STDOUT_FILENO);
  }
  // Early messages (a crash, a sanitizer report) land in the error log, as nginx's do.
  if (error_log != "/dev/stderr" && error_log != "/dev/stdout") {
    int log_fd = ::open(error_log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (log_fd >= 0) ::dup2(log_fd, STDERR_FILENO);
  }
  std::string fd_text = std::to_string(notify_fd);
  ::setenv(kNotifyFdVariable, fd_text.c_str(), 1);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(kongd.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  ::execvp(kongd.c_str(), argv.data());
  std::string line = "Error: could not run " + kongd + ": " + std::strerror(errno) + "\n";
  (void)!::write(notify_fd, line.data(), line.size());
  ::_exit(127);
}

}  // namespace

Result<NodeFiles> TargetNode(const ParsedArgs& parsed) {
  NodeFiles files;
  auto prefix = parsed.options.find("--prefix");
  if (prefix != parsed.options.end()) {
    files = NodeFilesInPrefix(prefix->second);
  } else {
    ConfSources sources;
    sources.search_default_paths = true;
    sources.env = ProcessEnvironment();
    Result<Conf> conf = Conf::Load(sources);
    if (!conf.ok()) return conf.status();
    files = NodeFilesInPrefix(conf->GetString("prefix"));
  }
  if (!IsFolder(files.prefix)) return Status::NotFound("no such prefix: " + files.prefix);
  return files;
}

Result<Conf> NodeConf(const ParsedArgs& parsed, bool use_recorded, std::string* conf_path) {
  ConfSources sources;
  auto conf = parsed.options.find("--conf");
  auto prefix = parsed.options.find("--prefix");
  if (conf != parsed.options.end()) {
    sources.path = conf->second;
  } else if (use_recorded && prefix != parsed.options.end()) {
    Result<std::string> recorded = ReadKongEnvConfPath(NodeFilesInPrefix(prefix->second).kong_env);
    if (recorded.ok()) sources.path = *recorded;
  }
  if (sources.path.empty()) sources.search_default_paths = true;
  if (prefix != parsed.options.end()) sources.overrides["prefix"] = prefix->second;
  sources.env = ProcessEnvironment();
  Result<Conf> loaded = Conf::Load(sources);
  if (loaded.ok() && conf_path != nullptr) *conf_path = loaded->path();
  return loaded;
}

Status SignalNode(const NodeFiles& files, int signum, long* pid) {
  *pid = RunningNodePid(files);
  if (*pid == 0) return Status::NotFound("nginx not running in prefix: " + files.prefix);
  if (::kill(static_cast<pid_t>(*pid), signum) != 0) {
    return Status::Io("could not send signal: " + std::string(std::strerror(errno)));
  }
  return Status::Ok();
}

Status SpawnKongd(const std::vector<std::string>& args, const NodeFiles& files) {
  Status prepared = PrepareNodeFiles(files);  // the error log's folder, for the child's stderr
  if (!prepared.ok()) return prepared;
  const std::string kongd = KongdPath();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Io("could not create a pipe: " + std::string(std::strerror(errno)));
  }
  pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::Io("could not fork: " + std::string(std::strerror(errno)));
  }
  if (child == 0) {
    ::close(fds[0]);
    ::fcntl(fds[1], F_SETFD, 0);  // kongd inherits the write end
    ExecKongd(kongd, args, files.error_log, fds[1]);
  }
  ::close(fds[1]);
  // EOF comes when kongd wrote its line and closed the pipe, or exited.
  std::string line = ReadAll(fds[0]);
  ::close(fds[0]);
  if (line == kReadyLine) return Status::Ok();  // kongd runs on, re-parented when we exit
  int wstatus = 0;
  while (::waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
  }
  const std::string error_prefix = "Error: ";
  if (line.rfind(error_prefix, 0) == 0) return Status::Unavailable(line.substr(error_prefix.size()));
  std::string how = WIFEXITED(wstatus)     ? "with code " + std::to_string(WEXITSTATUS(wstatus))
                    : WIFSIGNALED(wstatus) ? "on signal " + std::to_string(WTERMSIG(wstatus))
                                           : "";
  return Status::Unavailable("kongd exited " + how + " before it was listening; see " +
                             files.error_log);
}

}  // namespace kong::cli
