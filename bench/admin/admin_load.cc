// admin_load: a keep-alive Admin API load client (N connections on one loop) that records each
// response's status and latency; used by bench/admin/run.sh and the SIGKILL durability test.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "http/client.h"
#include "json/value.h"
#include "kong/event_loop.h"
#include "net/connect.h"

namespace {

const char kUsage[] =
    "Usage: admin_load MODE --port P [options]\n"
    "  create   POST /services <prefix>-<i> for i in [0, --requests); --routes also adds one\n"
    "           route per service; --acked FILE appends \"name id\" per 2xx service write;\n"
    "           --kill-pid PID --kill-after K sends SIGKILL to PID after K acknowledged writes\n"
    "  read     GET /services/<prefix>-<i>; with --routes, GET /services/<prefix>-<i/2> and\n"
    "           its /routes in turn\n"
    "  verify   GET /services/<id> for every line of --acked FILE; exit 1 if one is missing\n"
    "  status   GET /status --requests times (the HTTP floor: no database work)\n"
    "Options: --host H (127.0.0.1) --connections N (16) --requests M (1000) --prefix S (svc)\n"
    "Prints one line: mode= requests= ok= failed= seconds= per_second= p50_ms= p99_ms= max_ms=\n";

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int connections = 16;
  int requests = 1000;
  std::string prefix = "svc";
  bool routes = false;
  std::string acked_file;
  pid_t kill_pid = 0;
  int kill_after = 0;
};

// One unit of work: a request, and what to do with a 2xx answer.
struct Job {
  kong::http::ClientRequest request;
  std::string service_name;  // create: the name to record when acknowledged
  std::string expect_name;   // verify: the body must carry this name
  int route_index = -1;      // create with --routes: the route to add after the service
};

class LoadRun {
 public:
  LoadRun(kong::EventLoop& loop, Options options,
          std::vector<std::pair<std::string, std::string>> acked_in)
      : loop_(loop), options_(std::move(options)), verify_(std::move(acked_in)) {}

  void Start() {
    start_ = Clock::now();
    conns_.resize(static_cast<size_t>(options_.connections));
    for (auto& c : conns_) Next(c);
  }

  int Report() {
    double seconds = std::chrono::duration<double>(end_ - start_).count();
    std::vector<double> ms;
    int ok = 0;
    for (const auto& s : samples_) {
      if (s.status >= 200 && s.status < 300) ++ok;
      ms.push_back(s.ms);
    }
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) {
      return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
    };
    std::printf(
        "mode=%s requests=%zu ok=%d failed=%zu seconds=%.3f per_second=%.1f p50_ms=%.2f "
        "p99_ms=%.2f max_ms=%.2f\n",
        options_.mode.c_str(), samples_.size(), ok, samples_.size() - ok, seconds,
        seconds > 0 ? samples_.size() / seconds : 0.0, pct(0.50), pct(0.99),
        ms.empty() ? 0.0 : ms.back());
    for (const auto& m : missing_)
      std::fprintf(stderr, "missing acknowledged write: %s\n", m.c_str());
    if (options_.mode == "verify")
      return missing_.empty() && ok == static_cast<int>(samples_.size()) ? 0 : 1;
    return 0;
  }

  const std::vector<std::pair<std::string, std::string>>& acked() const { return acked_; }

 private:
  struct Sample {
    int status;
    double ms;
  };
  struct Conn {
    std::unique_ptr<kong::net::ConnectAttempt> connecting;
    std::unique_ptr<kong::http::HttpClient> client;
    std::vector<Job> queue;  // follow-up work of this connection (a service's route)
  };

  bool TakeJob(Job* job) {
    if (next_ >= total()) return false;
    const int i = next_++;
    job->request.headers.Add("Content-Type", "application/json");
    // read --routes alternates a service and its routes, so 2N requests cover N services.
    const int n = options_.mode == "read" && options_.routes ? i / 2 : i;
    const std::string name = options_.prefix + "-" + std::to_string(n);
    if (options_.mode == "create") {
      job->request.method = "POST";
      job->request.target = "/services";
      job->request.body = R"({"name":")" + name + R"(","host":")" + name + R"(.example.test"})";
      job->service_name = name;
      if (options_.routes) job->route_index = i;
    } else if (options_.mode == "status") {
      job->request.target = "/status";
    } else if (options_.mode == "read") {
      job->request.target = "/services/" + name;
      if (options_.routes && i % 2 == 1) job->request.target += "/routes";
    } else {
      job->request.target = "/services/" + verify_[static_cast<size_t>(i)].second;
      job->expect_name = verify_[static_cast<size_t>(i)].first;
    }
    return true;
  }
  int total() const {
    return options_.mode == "verify" ? static_cast<int>(verify_.size()) : options_.requests;
  }

  void Next(Conn& c) {
    Job job;
    if (!c.queue.empty()) {
      job = std::move(c.queue.back());
      c.queue.pop_back();
    } else if (!TakeJob(&job)) {
      c.client.reset();  // this connection is done; the loop ends when all are
      end_ = Clock::now();
      return;
    }
    if (c.client && c.client->open()) return Send(c, std::move(job));
    c.client.reset();
    auto pending = std::make_shared<Job>(std::move(job));
    c.connecting = kong::net::ConnectAttempt::Start(
        loop_, options_.host, options_.port, {5000},
        [this, &c, pending](kong::Result<std::unique_ptr<kong::net::Transport>> t) {
          c.connecting.reset();
          if (!t.ok()) {  // e.g. the server was killed: this write is simply not acknowledged
            Record(*pending, 0, 0.0, "");
            return Next(c);
          }
          kong::http::ClientOptions co;
          co.host = options_.host + ":" + std::to_string(options_.port);
          c.client = std::make_unique<kong::http::HttpClient>(std::move(t).value(), co);
          Send(c, std::move(*pending));
        });
  }

  void Send(Conn& c, Job job) {
    auto sent = Clock::now();
    auto kept = std::make_shared<Job>(job);
    c.client->Send(
        std::move(job.request), [this, &c, kept, sent](kong::Result<kong::http::ClientResponse> r) {
          double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
          if (!r.ok()) {
            Record(*kept, 0, ms, "");
            c.client.reset();  // allowed: the client may be destroyed in its callback
          } else {
            Record(*kept, r->status, ms, r->body);
            if (r->status == 201 && kept->route_index >= 0) c.queue.push_back(RouteJob(*kept));
          }
          Next(c);
        });
  }

  Job RouteJob(const Job& service) {
    Job job;
    job.request.method = "POST";
    job.request.target = "/services/" + service.service_name + "/routes";
    job.request.headers.Add("Content-Type", "application/json");
    job.request.body = R"({"name":")" + service.service_name + R"(-r","paths":["/)" +
                       service.service_name + R"("]})";
    return job;
  }

  void Record(const Job& job, int status, double ms, const std::string& body) {
    samples_.push_back({status, ms});
    const bool ok = status >= 200 && status < 300;
    if (!job.expect_name.empty() &&
        (!ok || body.find("\"" + job.expect_name + "\"") == std::string::npos)) {
      missing_.push_back(job.expect_name + " (status " + std::to_string(status) + ")");
    }
    if (!ok || job.service_name.empty()) return;
    auto parsed = kong::json::Parse(body);
    const kong::json::Value* id = parsed.ok() ? parsed->Find("id") : nullptr;
    if (id == nullptr || !id->is_string()) {
      std::fprintf(stderr, "2xx without an id for %s: %s\n", job.service_name.c_str(),
                   body.c_str());
      return;
    }
    acked_.emplace_back(job.service_name, id->as_string());
    if (options_.kill_pid > 0 && static_cast<int>(acked_.size()) == options_.kill_after) {
      ::kill(options_.kill_pid, SIGKILL);
      std::fprintf(stderr, "sent SIGKILL to %d after %d acknowledged writes\n",
                   static_cast<int>(options_.kill_pid), options_.kill_after);
    }
  }

  kong::EventLoop& loop_;
  Options options_;
  std::vector<std::pair<std::string, std::string>> verify_;
  std::vector<Conn> conns_;
  int next_ = 0;
  std::vector<Sample> samples_;
  std::vector<std::pair<std::string, std::string>> acked_;
  std::vector<std::string> missing_;
  Clock::time_point start_, end_;
};

bool ParseOptions(int argc, char** argv, Options* o) {
  if (argc < 2) return false;
  o->mode = argv[1];
  if (o->mode != "create" && o->mode != "read" && o->mode != "verify" && o->mode != "status") {
    return false;
  }
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--routes") {
      o->routes = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (a == "--host")
      o->host = v;
    else if (a == "--port")
      o->port = static_cast<uint16_t>(std::atoi(v.c_str()));
    else if (a == "--connections")
      o->connections = std::max(1, std::atoi(v.c_str()));
    else if (a == "--requests")
      o->requests = std::atoi(v.c_str());
    else if (a == "--prefix")
      o->prefix = v;
    else if (a == "--acked")
      o->acked_file = v;
    else if (a == "--kill-pid")
      o->kill_pid = static_cast<pid_t>(std::atoi(v.c_str()));
    else if (a == "--kill-after")
      o->kill_after = std::atoi(v.c_str());
    else
      return false;
  }
  return o->port != 0 && (o->mode != "verify" || !o->acked_file.empty());
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> to_verify;
  if (options.mode == "verify") {
    std::ifstream in(options.acked_file);
    std::string name, id;
    while (in >> name >> id) to_verify.emplace_back(name, id);
  }
  auto loop = kong::EventLoop::Create();
  if (!loop.ok()) {
    std::fprintf(stderr, "admin_load: %s\n", loop.status().ToString().c_str());
    return 1;
  }
  int rc;
  {
    LoadRun run(**loop, options, std::move(to_verify));
    run.Start();
    (void)(*loop)->Run();
    rc = run.Report();
    if (options.mode == "create" && !options.acked_file.empty()) {
      std::ofstream out(options.acked_file, std::ios::app);
      for (const auto& [name, id] : run.acked()) out << name << ' ' << id << '\n';
      if (!out) rc = 1;
    }
  }
  return rc;
}
