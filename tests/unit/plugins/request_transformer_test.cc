// request-transformer, run directly: each operation on headers, querystring and body, the uri
// and method, templates, the 500 on a template error, and that a header-only configuration
// never reads the body (kong/plugins/request-transformer/access.lua).
#include <doctest/doctest.h>

#include <functional>
#include <memory>

#include "json/value.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/plugin.h"
#include "plugins/state.h"

namespace {

using kong::http::HeaderMap;
using kong::plugins::Flow;

// What the upstream would get after the access phase.
struct Upstream {
  Flow flow = Flow::kContinue;
  bool body_read = false;
  bool resumed = false;
  std::optional<kong::plugins::PluginContext::ExitResponse> exit;
  HeaderMap headers;
  std::optional<std::string> path, query, method, body;
};

class Harness {
 public:
  Harness() {
    auto loop = kong::EventLoop::Create();
    REQUIRE(loop.ok());
    loop_ = std::move(*loop);
    worker_ = std::make_unique<kong::plugins::WorkerState>(*loop_);
  }

  void Configure(std::string_view config) {
    auto conf = kong::json::Parse(config);
    REQUIRE_MESSAGE(conf.ok(), conf.status().ToString());
    kong::plugins::PluginSpec spec;
    spec.name = "request-transformer";
    spec.config = &*conf;
    auto p = kong::plugins::RequestTransformerDescriptor().create(std::move(spec), {&shared_});
    REQUIRE(p.ok());
    plugin_ = std::move(*p);
  }

  // Runs access on `request`; read_body (when the plugin asks) answers with `body` after
  // Access returned, as the gateway's loop would.
  Upstream Run(kong::http::Request request, std::string body = "",
               const kong::router::RouteMatch* match = nullptr, bool body_too_large = false) {
    kong::plugins::PluginContext ctx(request, *consumers_, *worker_, shared_);
    ctx.ResizeStates(1);
    ctx.match = match;
    Upstream out;
    ctx.suspend_hook = [&out] { return std::function<void()>([&out] { out.resumed = true; }); };
    std::function<void(kong::Result<std::string>)> pending;
    ctx.read_body = [&](uint64_t limit, std::function<void(kong::Result<std::string>)> done) {
      CHECK(limit >= 1024 * 1024);
      out.body_read = true;
      pending = std::move(done);
    };
    out.flow = plugin_->Access(ctx);
    if (out.flow == Flow::kWait) {
      REQUIRE(pending);
      if (body_too_large) {
        pending(kong::Status::InvalidArgument("request body larger than 8388608 bytes"));
      } else {
        pending(body);
      }
      CHECK(out.resumed);
    }
    out.exit = ctx.exit();
    out.headers = request.headers;
    out.path = ctx.upstream_path;
    out.query = ctx.upstream_query;
    out.method = ctx.upstream_method;
    out.body = ctx.upstream_body;
    return out;
  }

 private:
  std::unique_ptr<kong::EventLoop> loop_;
  std::unique_ptr<kong::plugins::WorkerState> worker_;
  kong::plugins::SharedState shared_;
  std::shared_ptr<const kong::plugins::ConsumerIndex> consumers_ =
      kong::plugins::ConsumerIndex::Empty();
  std::unique_ptr<kong::plugins::Plugin> plugin_;
};

kong::http::Request Req(std::string method, std::string target,
                        std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
  kong::http::Request r;
  r.method = std::move(method);
  r.target = target;
  kong::http::SplitTarget(target, &r.raw_path, &r.query_string);
  r.path = kong::http::PercentDecode(r.raw_path, false);
  r.query = kong::http::ParseQuery(r.query_string);
  r.headers.Add("Host", "client.example");
  for (const auto& [n, v] : headers) r.headers.Add(n, v);
  return r;
}

std::string H(const HeaderMap& h, std::string_view name) {
  auto all = h.GetAll(name);
  if (all.empty()) return "<none>";
  std::string out;
  for (std::string_view v : all) out += (out.empty() ? "" : "|") + std::string(v);
  return out;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("request-transformer: header remove, rename, replace, add, append in Kong's order") {
    Harness t;
    t.Configure(R"~({
      "remove":  {"headers": ["x-drop", "x-absent"]},
      "rename":  {"headers": ["x-old:x-new", "x-missing:x-never"]},
      "replace": {"headers": ["x-rep:replaced", "x-rep-absent:nope", "x-new:renamed-then-replaced"]},
      "add":     {"headers": ["x-add:added", "x-keep:not-this", "X-Added-Case:v"]},
      "append":  {"headers": ["x-keep:second", "x-app:one"]}
    })~");
    Upstream u = t.Run(Req("GET", "/p", {{"X-Drop", "1"}, {"X-Old", "o"}, {"X-Rep", "r"},
                                         {"X-Keep", "first"}}));
    CHECK(u.flow == Flow::kContinue);
    CHECK_FALSE(u.body_read);  // header-only configuration: the body is never touched
    CHECK(H(u.headers, "x-drop") == "<none>");
    CHECK(H(u.headers, "x-old") == "<none>");
    CHECK(H(u.headers, "x-new") == "renamed-then-replaced");
    CHECK(H(u.headers, "x-never") == "<none>");
    CHECK(H(u.headers, "x-rep") == "replaced");
    CHECK(H(u.headers, "x-rep-absent") == "<none>");  // replace never adds
    CHECK(H(u.headers, "x-add") == "added");
    CHECK(H(u.headers, "x-added-case") == "v");
    CHECK(H(u.headers, "x-keep") == "first|second");  // add skipped it, append added a value
    CHECK(H(u.headers, "x-app") == "one");
    CHECK(H(u.headers, "Host") == "client.example");
    CHECK_FALSE(u.path);
    CHECK_FALSE(u.query);
    CHECK_FALSE(u.method);
    CHECK_FALSE(u.body);
  }

  TEST_CASE("request-transformer: Host is replaced (even when absent) but never added") {
    Harness t;
    t.Configure(R"~({"replace": {"headers": ["host:upstream.example"]},
                    "add": {"headers": ["host:added.example"]},
                    "remove": {"headers": ["host"]}})~");
    Upstream u = t.Run(Req("GET", "/"));
    CHECK(H(u.headers, "Host") == "upstream.example");
    Harness only_add;
    only_add.Configure(R"~({"add": {"headers": ["host:added.example"]}})~");
    CHECK(H(only_add.Run(Req("GET", "/")).headers, "Host") == "client.example");
  }

  TEST_CASE("request-transformer: header templates see the headers as received") {
    Harness t;
    t.Configure(R"~({
      "rename": {"headers": ["x-a:x-b"]},
      "add": {"headers": ["x-copy:$(headers.x_a)", "x-from-query:$(query_params.id)",
                          "x-empty:$(headers.x_absent)"]}
    })~");
    Upstream u = t.Run(Req("GET", "/p?id=7", {{"X-A", "alpha"}}));
    CHECK(H(u.headers, "x-b") == "alpha");
    CHECK(H(u.headers, "x-copy") == "alpha");  // x-a was renamed, the template still reads it
    CHECK(H(u.headers, "x-from-query") == "7");
    CHECK(H(u.headers, "x-empty") == "<none>");  // an empty value sets no header
  }

  TEST_CASE("request-transformer: replace.uri (templated, escaped) and http_method") {
    Harness t;
    t.Configure(R"~({"http_method": "put",
                    "replace": {"uri": "/v2/$(uri_captures.id)/x y/$(uri_captures[2])"}})~");
    kong::router::RouteMatch m;
    m.path = "/users/42/posts";
    m.captures = {std::pair<size_t, size_t>{0, 15}, std::pair<size_t, size_t>{7, 2},
                  std::pair<size_t, size_t>{10, 5}};
    m.capture_names = {{"id", 1}};
    Upstream u = t.Run(Req("GET", "/users/42/posts?keep=1"), "", &m);
    CHECK(u.flow == Flow::kContinue);
    REQUIRE(u.path);
    CHECK(*u.path == "/v2/42/x%20y/posts");
    CHECK(u.method == std::optional<std::string>("PUT"));
    CHECK_FALSE(u.query);  // the client's query goes through unchanged
  }

  TEST_CASE("request-transformer: a template error or a path without '/' answers 500") {
    for (const char* config : {R"~({"add": {"headers": ["x-a:$(headers.missing.deeper)"]}})~",
                               R"~({"replace": {"uri": "no-slash"}})~",
                               R"~({"replace": {"uri": "$(headers.absent)"}})~",
                               R"~({"append": {"querystring": ["q:$(uri_captures.none.x)"]}})~"}) {
      Harness t;
      t.Configure(config);
      Upstream u = t.Run(Req("GET", "/p"));
      CHECK_MESSAGE(u.flow == Flow::kExit, config);
      REQUIRE(u.exit);
      CHECK(u.exit->status == 500);
      CHECK(u.exit->body == "An unexpected error occurred");
      CHECK(u.exit->kong_error);
    }
  }

  TEST_CASE("request-transformer: querystring operations on the client's arguments") {
    Harness t;
    t.Configure(R"~({
      "remove":  {"querystring": ["drop"]},
      "rename":  {"querystring": ["old:new", "nothing:gone"]},
      "replace": {"querystring": ["rep:r2", "absent:x"]},
      "add":     {"querystring": ["keep:no", "added:a b"]},
      "append":  {"querystring": ["keep:two", "fresh:f"]}
    })~");
    Upstream u = t.Run(Req("GET", "/p?drop=1&old=o&rep=r1&keep=one&gone=g"));
    REQUIRE(u.query);
    // Keys ascending (Kong's encode_args sorts them); renaming an absent key clears the new one.
    CHECK(*u.query == "added=a%20b&fresh=f&keep=one&keep=two&new=o&rep=r2");
  }

  TEST_CASE("request-transformer: JSON body operations (read only for a body transform)") {
    Harness t;
    t.Configure(R"~({
      "remove":  {"body": ["drop"]},
      "rename":  {"body": ["old:new"]},
      "replace": {"body": ["rep:r2", "f:not-false", "absent:x"]},
      "add":     {"body": ["keep:no", "added:$(headers.x_src)"]},
      "append":  {"body": ["s:two", "arr:3", "num:n"]}
    })~");
    Upstream u = t.Run(
        Req("POST", "/p", {{"Content-Type", "application/json; charset=utf-8"}, {"X-Src", "hdr"}}),
        R"~({"drop":1,"old":{"k":true},"rep":"r1","f":false,"keep":"one","s":"one","arr":[1,2],"num":5})~");
    CHECK(u.flow == Flow::kWait);  // resumed once the body was read
    CHECK(u.body_read);
    REQUIRE(u.body);
    auto got = kong::json::Parse(*u.body);
    REQUIRE(got.ok());
    auto want = kong::json::Parse(
        R"~({"new":{"k":true},"rep":"r2","f":false,"keep":"one","s":["one","two"],)~"
        R"~("arr":[1,2,"3"],"num":["n"],"added":"hdr"})~");
    REQUIRE(want.ok());
    CHECK(kong::json::Serialize(*got, {.sort_keys = true}) ==
          kong::json::Serialize(*want, {.sort_keys = true}));
    CHECK(H(u.headers, "Content-Type") == "application/json; charset=utf-8");
  }

  TEST_CASE("request-transformer: an empty JSON body gets only add and append; bad JSON stays") {
    Harness t;
    t.Configure(R"~({"remove": {"body": ["a"]}, "add": {"body": ["b:1"]}})~");
    Upstream empty = t.Run(Req("POST", "/p", {{"Content-Type", "application/json"}}), "");
    REQUIRE(empty.body);
    CHECK(*empty.body == R"~({"b":"1"})~");
    Upstream bad = t.Run(Req("POST", "/p", {{"Content-Type", "application/json"}}), "{not json");
    CHECK(bad.body_read);
    CHECK_FALSE(bad.body);  // forwarded as sent
    CHECK(bad.flow == Flow::kWait);
    CHECK_FALSE(bad.exit);
  }

  TEST_CASE("request-transformer: form bodies; other content types are not read") {
    Harness t;
    t.Configure(R"~({"remove": {"body": ["drop"]}, "replace": {"body": ["rep:new value"]},
                    "add": {"body": ["added:1"]}, "append": {"body": ["rep:more"]}})~");
    Upstream u = t.Run(Req("POST", "/p", {{"Content-Type", "application/x-www-form-urlencoded"}}),
                       "drop=x&rep=old&z=last");
    REQUIRE(u.body);
    CHECK(*u.body == "added=1&rep=new%20value&rep=more&z=last");
    Upstream text = t.Run(Req("POST", "/p", {{"Content-Type", "text/plain"}}), "drop=x");
    CHECK_FALSE(text.body_read);
    CHECK_FALSE(text.body);
    Upstream none = t.Run(Req("POST", "/p"), "drop=x");
    CHECK_FALSE(none.body_read);
  }

  TEST_CASE("request-transformer: http_method GET moves a form body's arguments to the query") {
    Harness t;
    t.Configure(R"~({"http_method": "GET", "add": {"querystring": ["extra:1"]}})~");
    Upstream u = t.Run(Req("POST", "/p?a=q", {{"Content-Type", "application/x-www-form-urlencoded"}}),
                       "a=b&c=d");
    CHECK(u.body_read);
    CHECK(u.method == std::optional<std::string>("GET"));
    REQUIRE(u.query);
    CHECK(*u.query == "a=q&a=b&c=d&extra=1");
    CHECK_FALSE(u.body);
  }

  TEST_CASE("request-transformer: a body over the read limit is refused with 413") {
    Harness t;
    t.Configure(R"~({"add": {"body": ["a:1"]}})~");
    Upstream u = t.Run(Req("POST", "/p", {{"Content-Type", "application/json"}}), "", nullptr,
                       /*body_too_large=*/true);
    REQUIRE(u.exit);
    CHECK(u.exit->status == 413);
    CHECK_FALSE(u.body);
  }
}
