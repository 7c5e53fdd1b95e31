// Helpers the examples share. Like the examples, they use only the public API (include/kong/);
// they are not part of the library. NodeThread is the pattern to copy when a program runs a
// node on a thread of its own: the loop is created on the thread that runs it, and every call
// on the node goes through EventLoop::Post.
#ifndef KONG_EXAMPLES_EXAMPLE_SUPPORT_H_
#define KONG_EXAMPLES_EXAMPLE_SUPPORT_H_

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "kong/kong.h"

namespace example {

// A fresh folder under $TMPDIR (else /tmp), removed with its content on destruction. The
// examples keep every prefix, database and certificate in one, so they leave nothing behind.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "kong-example-XXXXXX");
    if (ec) pattern = "/tmp/kong-example-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// Kong's defaults plus `properties`, as `kong -p` or KONG_* variables would set them. A real
// program passes its kong.conf as ConfSources::path and its environment as ConfSources::env.
inline kong::Result<kong::Conf> ConfWith(std::map<std::string, std::string> properties) {
  kong::ConfSources sources;
  sources.overrides = std::move(properties);
  return kong::Conf::Load(sources);
}

// A LogSink that writes "[<who>] <level>: <line>" to stderr.
inline kong::LogSink StderrLog(std::string who) {
  return [who = std::move(who)](kong::LogLevel level, std::string_view line) {
    std::fprintf(stderr, "[%s] %s: %.*s\n", who.c_str(), kong::LogLevelName(level),
                 static_cast<int>(line.size()), line.data());
  };
}

// Prints "<program>: <what>: <status>" to stderr; returns the exit code for a failure.
inline int Fail(const char* program, std::string_view what, const kong::Status& status) {
  std::fprintf(stderr, "%s: %.*s: %s\n", program, static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
  return 1;
}

inline int Fail(const char* program, std::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", program, static_cast<int>(message.size()), message.data());
  return 1;
}

// What the hybrid examples share: one cluster certificate pair from kong::CertGen, written to
// a temp folder (Kong's default cluster_mtls = shared: every node holds the same pair), and the
// kong.conf of a control plane and of its data planes on loopback, each listener on a free
// port (port 0), each node's prefix in the folder.
class LoopbackCluster {
 public:
  // Generates and writes the pair.
  kong::Status Init() {
    if (!dir_.ok()) return kong::Status::Io("could not create a temp folder");
    auto pair = kong::CertGen::Generate(kong::CertGenOptions{});
    if (!pair.ok()) return pair.status();
    return kong::CertGen::WriteFiles(*pair, cert_, key_);
  }

  // Admin API and cluster listener on 127.0.0.1; prefix <dir>/cp (kong.db, kong.id).
  kong::Result<kong::Conf> ControlPlaneConf() const {
    return ConfWith({{"role", "control_plane"},
                     {"prefix", dir_.File("cp")},
                     {"admin_listen", "127.0.0.1:0"},
                     {"cluster_listen", "127.0.0.1:0"},
                     {"cluster_cert", cert_},
                     {"cluster_cert_key", key_}});
  }

  // A data plane of the control plane listening on `cluster_port`; prefix <dir>/<name>
  // (kong.id, config.cache.json.gz); `extra` adds or replaces properties.
  kong::Result<kong::Conf> DataPlaneConf(uint16_t cluster_port, const std::string& name = "dp",
                                         std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> properties = {
        {"role", "data_plane"},
        {"database", "off"},
        {"prefix", dir_.File(name)},
        {"cluster_control_plane", "127.0.0.1:" + std::to_string(cluster_port)},
        {"cluster_cert", cert_},
        {"cluster_cert_key", key_},
        {"status_listen", "127.0.0.1:0"},
        {"proxy_listen", "127.0.0.1:0"},  // a data plane must have one
        {"nginx_worker_processes", "1"},  // proxy worker threads: one is enough here
    };
    for (auto& [key, value] : extra) properties[key] = std::move(value);
    return ConfWith(std::move(properties));
  }

 private:
  TempDir dir_;
  std::string cert_ = dir_.File("cluster.crt");
  std::string key_ = dir_.File("cluster.key");
};

// A node (kong::ControlPlane or kong::DataPlane) on a thread and EventLoop of its own.
template <typename Node>
class NodeThread {
 public:
  using Factory = std::function<kong::Result<std::unique_ptr<Node>>(kong::EventLoop&)>;

  NodeThread() = default;
  NodeThread(const NodeThread&) = delete;
  NodeThread& operator=(const NodeThread&) = delete;
  ~NodeThread() { Stop(); }

  // Starts the thread, which creates the loop, calls `create` and Node::Start, then runs the
  // loop until the node has stopped. Blocks until the node started or failed to.
  kong::Status Start(Factory create) {
    std::promise<kong::Status> started;
    std::future<kong::Status> result = started.get_future();
    thread_ = std::thread(&NodeThread::Main, this, std::move(create), std::move(started));
    kong::Status status = result.get();
    running_ = status.ok();
    if (!running_) Stop();
    return status;
  }

  // Runs fn(node) on the node's thread and returns its result to the calling thread. Only
  // while the node runs, and never from the node's own thread (it would wait for itself).
  template <typename Fn>
  auto Call(Fn fn) -> decltype(fn(std::declval<Node&>())) {
    std::packaged_task<decltype(fn(std::declval<Node&>()))()> task(
        [this, &fn] { return fn(*node_); });
    auto result = task.get_future();
    loop_->Post([&task] { task(); });
    return result.get();
  }

  // Stops the node on its thread and waits for the thread to end. Idempotent.
  void Stop() {
    if (!thread_.joinable()) return;
    if (running_) loop_->Post([this] { node_->Stop(nullptr); });
    running_ = false;
    thread_.join();
    loop_.reset();  // after the loop's thread ended: nothing runs on it any more
  }

 private:
  // The node's thread.
  void Main(Factory create, std::promise<kong::Status> started) {
    // Objects check that they are used on the thread that created their loop.
    auto loop = kong::EventLoop::Create();
    if (!loop.ok()) return started.set_value(loop.status());
    loop_ = std::move(loop).value();
    auto node = create(*loop_);
    kong::Status status = node.ok() ? (*node)->Start() : node.status();
    if (status.ok()) node_ = std::move(node).value();
    started.set_value(status);
    if (status.ok()) (void)loop_->Run();  // returns once Stop has closed every handle
    node_.reset();                        // destroyed on its own thread
  }

  std::thread thread_;
  std::unique_ptr<kong::EventLoop> loop_;
  std::unique_ptr<Node> node_;  // touched only on the node's thread once it runs
  bool running_ = false;        // the caller's view: started and not yet stopped
};

}  // namespace example

#endif  // KONG_EXAMPLES_EXAMPLE_SUPPORT_H_
