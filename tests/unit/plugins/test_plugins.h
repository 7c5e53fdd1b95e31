// Test-only plugins for the runtime's tests: each shows what ran and in which scope. Each reads
// its config in the constructor (PluginSpec::config is valid only in the factory).
//   tag-<x>:  access adds "X-Tag-<x>: <config.tag>" upstream (which configuration ran);
//             header_filter adds "X-Seen-<x>: <config.tag>" to the response; log records.
//   auth:     access authenticates the consumer named by the X-User request header.
//   exiter:   access exits with config.status/message (config.raw: ExitRaw) and X-Exit: yes.
//   waiter:   access suspends, resumes after config.ms on a timer, adds X-Waited: <ms>.
//   limiter:  access sets request_body_limit = config.limit.
//   reader:   access reads the body (config.limit) and sends "[" body "]" upstream.
//   shouter:  body_filter upper-cases the body and appends "!" at eof (changes the length).
#ifndef KONG_TESTS_UNIT_PLUGINS_TEST_PLUGINS_H_
#define KONG_TESTS_UNIT_PLUGINS_TEST_PLUGINS_H_

#include <atomic>
#include <cctype>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/timer.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/plugin.h"
#include "plugins/state.h"

namespace kong::plugins::test {

inline std::string ConfigString(const PluginSpec& spec, const char* field,
                                std::string fallback = "") {
  const json::Value* v = spec.config ? spec.config->Find(field) : nullptr;
  return v && v->is_string() ? v->as_string() : fallback;
}

inline int64_t ConfigInt(const PluginSpec& spec, const char* field, int64_t fallback) {
  const json::Value* v = spec.config ? spec.config->Find(field) : nullptr;
  return v && v->is_int() ? v->as_int() : fallback;
}

// What log phases saw, across worker threads.
struct LogBook {
  std::mutex mu;
  std::vector<std::string> lines;  // "<plugin tag> <status>"
  void Add(std::string line) {
    std::lock_guard lock(mu);
    lines.push_back(std::move(line));
  }
  std::vector<std::string> Lines() {
    std::lock_guard lock(mu);
    return lines;
  }
};

class TagPlugin : public Plugin {
 public:
  TagPlugin(PluginSpec spec, LogBook* book)
      : Plugin(std::move(spec)), tag_(ConfigString(this->spec(), "tag")), book_(book) {
    suffix_ = this->spec().name.substr(4);  // "tag-"
  }
  uint32_t phases() const override { return kAccessPhase | kHeaderFilterPhase | kLogPhase; }
  Flow Access(PluginContext& ctx) const override {
    ctx.request.headers.Add("X-Tag-" + suffix_, tag_);
    return Flow::kContinue;
  }
  void HeaderFilter(PluginContext&, ResponseHead& head) const override {
    head.headers->Add("X-Seen-" + suffix_, tag_);
  }
  void Log(PluginContext&, const LogRecord& record) const override {
    if (book_) book_->Add(tag_ + " " + std::to_string(record.status));
  }

 private:
  std::string tag_, suffix_;
  LogBook* book_;
};

class AuthPlugin : public Plugin {
 public:
  explicit AuthPlugin(PluginSpec spec) : Plugin(std::move(spec)) {}
  uint32_t phases() const override { return kAccessPhase; }
  Flow Access(PluginContext& ctx) const override {
    auto user = ctx.request.headers.Get("X-User");
    if (user) {
      if (const Consumer* c = ctx.consumers.FindByIdOrUsername(*user)) {
        ctx.Authenticate(c, nullptr, false);
      }
    }
    return Flow::kContinue;
  }
};

class ExitPlugin : public Plugin {
 public:
  explicit ExitPlugin(PluginSpec spec)
      : Plugin(std::move(spec)),
        status_(static_cast<int>(ConfigInt(this->spec(), "status", 403))),
        raw_(ConfigString(this->spec(), "raw") == "yes"),
        message_(ConfigString(this->spec(), "message", raw_ ? "" : "Forbidden")) {}
  uint32_t phases() const override { return kAccessPhase; }
  Flow Access(PluginContext& ctx) const override {
    http::HeaderMap headers;
    headers.Add("X-Exit", "yes");
    if (raw_) {
      ctx.ExitRaw(status_, message_, std::move(headers));
    } else {
      ctx.Exit(status_, message_, std::move(headers));
    }
    return Flow::kExit;
  }

 private:
  int status_;
  bool raw_;
  std::string message_;
};

// Requests that reached WaitPlugin's access phase (tests wait on it before aborting).
inline std::atomic<int> g_wait_started{0};

class WaitPlugin : public Plugin {
 public:
  explicit WaitPlugin(PluginSpec spec)
      : Plugin(std::move(spec)),
        ms_(ConfigInt(this->spec(), "ms", 20)),
        detach_(ConfigString(this->spec(), "detach") == "yes") {}
  uint32_t phases() const override { return kAccessPhase; }
  struct State : PluginRequestState {
    std::unique_ptr<net::Timer> timer;
  };
  // config.detach = "yes": the timer belongs to the worker, so it fires after an aborted
  // request ended and calls its (then inert) resume function.
  struct WorkerTimers {
    explicit WorkerTimers(EventLoop& loop) : loop(loop) {}
    EventLoop& loop;
    std::vector<std::unique_ptr<net::Timer>> timers;
  };
  Flow Access(PluginContext& ctx) const override {
    ++g_wait_started;
    if (detach_) {
      WorkerTimers& timers = ctx.worker.Get<WorkerTimers>();
      timers.timers.push_back(std::make_unique<net::Timer>(timers.loop));
      std::function<void()> resume = ctx.Suspend();
      timers.timers.back()->Start(static_cast<uint64_t>(ms_), [resume] { resume(); });
      return Flow::kWait;
    }
    auto state = std::make_unique<State>();
    state->timer = std::make_unique<net::Timer>(ctx.worker.loop());
    int64_t ms = ms_;
    std::function<void()> resume = ctx.Suspend();
    PluginContext* c = &ctx;  // the timer dies with the request's state, so ctx outlives it
    state->timer->Start(static_cast<uint64_t>(ms), [c, ms, resume] {
      c->request.headers.Add("X-Waited", std::to_string(ms));
      resume();
    });
    ctx.state() = std::move(state);
    return Flow::kWait;
  }

 private:
  int64_t ms_;
  bool detach_;
};

class LimitPlugin : public Plugin {
 public:
  explicit LimitPlugin(PluginSpec spec)
      : Plugin(std::move(spec)), limit_(ConfigInt(this->spec(), "limit", 10)) {}
  uint32_t phases() const override { return kAccessPhase; }
  Flow Access(PluginContext& ctx) const override {
    ctx.request_body_limit = static_cast<uint64_t>(limit_);
    return Flow::kContinue;
  }

 private:
  int64_t limit_;
};

class ReadPlugin : public Plugin {
 public:
  explicit ReadPlugin(PluginSpec spec)
      : Plugin(std::move(spec)), limit_(ConfigInt(this->spec(), "limit", 1 << 20)) {}
  uint32_t phases() const override { return kAccessPhase; }
  Flow Access(PluginContext& ctx) const override {
    std::function<void()> resume = ctx.Suspend();
    PluginContext* c = &ctx;  // read_body drops `done` once the request ended
    ctx.read_body(static_cast<uint64_t>(limit_),
                  [c, resume](Result<std::string> body) {
                    if (!body.ok()) {
                      c->Exit(413, "Request size limit exceeded");
                    } else {
                      c->upstream_body = "[" + *body + "]";
                    }
                    resume();
                  });
    return Flow::kWait;
  }

 private:
  int64_t limit_;
};

class ShoutPlugin : public Plugin {
 public:
  explicit ShoutPlugin(PluginSpec spec) : Plugin(std::move(spec)) {}
  uint32_t phases() const override { return kBodyFilterPhase; }
  void BodyFilter(PluginContext&, std::string& chunk, bool eof) const override {
    for (char& ch : chunk) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (eof) chunk += "!";
  }
};

template <typename P>
PluginDescriptor Describe(std::string name, int priority) {
  return {std::move(name), priority,
          [](PluginSpec spec, const PluginEnv&) -> Result<std::unique_ptr<Plugin>> {
            return std::unique_ptr<Plugin>(new P(std::move(spec)));
          }};
}

inline PluginDescriptor DescribeTag(std::string suffix, int priority, LogBook* book = nullptr) {
  return {"tag-" + suffix, priority,
          [book](PluginSpec spec, const PluginEnv&) -> Result<std::unique_ptr<Plugin>> {
            if (ConfigString(spec, "tag") == "bad") {
              return Status::InvalidArgument("tag: bad is not allowed");
            }
            return std::unique_ptr<Plugin>(new TagPlugin(std::move(spec), book));
          }};
}

// auth 1000; tag-a 900, tag-b 800 (after auth), tag-z 2000 (before auth); tag-m and tag-n
// share priority 500 (so n runs before m); exiter 700, waiter 850, limiter 600, reader 650,
// shouter 100.
inline std::shared_ptr<PluginFactories> TestFactories(LogBook* book = nullptr) {
  auto f = std::make_shared<PluginFactories>();
  (void)f->Register(Describe<AuthPlugin>("auth", 1000));
  (void)f->Register(DescribeTag("a", 900, book));
  (void)f->Register(DescribeTag("b", 800, book));
  (void)f->Register(DescribeTag("z", 2000, book));
  (void)f->Register(DescribeTag("m", 500, book));
  (void)f->Register(DescribeTag("n", 500, book));
  (void)f->Register(Describe<ExitPlugin>("exiter", 700));
  (void)f->Register(Describe<WaitPlugin>("waiter", 850));
  (void)f->Register(Describe<LimitPlugin>("limiter", 600));
  (void)f->Register(Describe<ReadPlugin>("reader", 650));
  (void)f->Register(Describe<ShoutPlugin>("shouter", 100));
  return f;
}

// One `plugins` row. Scopes are ids or "" for none.
inline std::string PluginRow(const std::string& id, const std::string& name,
                             const std::string& config, const std::string& route = "",
                             const std::string& service = "", const std::string& consumer = "",
                             const std::string& extra = "") {
  auto fk = [](const std::string& v) {
    return v.empty() ? std::string("null") : R"({"id":")" + v + R"("})";
  };
  return R"({"id":")" + id + R"(","name":")" + name + R"(","config":)" + config +
         R"(,"route":)" + fk(route) + R"(,"service":)" + fk(service) + R"(,"consumer":)" +
         fk(consumer) + (extra.empty() ? "" : "," + extra) + "}";
}

}  // namespace kong::plugins::test

#endif  // KONG_TESTS_UNIT_PLUGINS_TEST_PLUGINS_H_
