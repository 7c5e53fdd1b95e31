// response-transformer, run directly: header operations in header_filter, JSON body operations
// with json_types in body_filter, and bodies that pass untouched (not JSON, no json config,
// undecodable) (kong/plugins/response-transformer/*.lua).
#include <doctest/doctest.h>

#include <memory>

#include "json/value.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/plugin.h"
#include "plugins/state.h"

namespace {

using kong::http::HeaderMap;
using kong::plugins::kBodyFilterPhase;

struct Client {
  HeaderMap headers;
  std::string body;
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
    spec.name = "response-transformer";
    spec.config = &*conf;
    auto p = kong::plugins::ResponseTransformerDescriptor().create(std::move(spec), {&shared_});
    REQUIRE(p.ok());
    plugin_ = std::move(*p);
  }
  const kong::plugins::Plugin& plugin() const { return *plugin_; }

  // header_filter on `headers`, then body_filter over `chunks` (each split as the upstream
  // sent it) and eof, as the gateway runs them.
  Client Run(HeaderMap headers, std::vector<std::string> chunks) {
    kong::http::Request request;
    request.method = "GET";
    kong::plugins::PluginContext ctx(request, *consumers_, *worker_, shared_);
    ctx.ResizeStates(1);
    Client out;
    out.headers = std::move(headers);
    kong::plugins::ResponseHead head{200, &out.headers, true};
    plugin_->HeaderFilter(ctx, head);
    if (plugin_->phases() & kBodyFilterPhase) {
      for (std::string& chunk : chunks) {
        plugin_->BodyFilter(ctx, chunk, false);
        out.body += chunk;
      }
      std::string tail;
      plugin_->BodyFilter(ctx, tail, true);
      out.body += tail;
    } else {
      for (const std::string& chunk : chunks) out.body += chunk;
    }
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

HeaderMap Headers(std::initializer_list<std::pair<std::string, std::string>> fields) {
  HeaderMap h;
  for (const auto& [n, v] : fields) h.Add(n, v);
  return h;
}

std::string H(const HeaderMap& h, std::string_view name) {
  auto all = h.GetAll(name);
  if (all.empty()) return "<none>";
  std::string out;
  for (std::string_view v : all) out += (out.empty() ? "" : "|") + std::string(v);
  return out;
}

std::string Sorted(std::string_view json) {
  auto v = kong::json::Parse(json);
  REQUIRE_MESSAGE(v.ok(), std::string(json));
  return kong::json::Serialize(*v, {.sort_keys = true});
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("response-transformer: header remove, rename, replace, add, append") {
    Harness t;
    t.Configure(R"({
      "remove":  {"headers": ["x-drop"]},
      "rename":  {"headers": ["x-old:x-new", "x-missing:x-never"]},
      "replace": {"headers": ["x-rep:replaced", "x-absent:nope", "x-new:too-late"]},
      "add":     {"headers": ["x-add:added", "x-keep:not-this"]},
      "append":  {"headers": ["x-keep:second", "x-app:one"]}
    })");
    CHECK((t.plugin().phases() & kBodyFilterPhase) == 0);  // no json config: no body filter
    Client c = t.Run(Headers({{"X-Drop", "1"}, {"X-Old", "o"}, {"X-Rep", "r"}, {"X-Keep", "first"},
                              {"Content-Type", "application/json"}, {"Content-Length", "7"}}),
                     {R"({"a":1})"});
    CHECK(H(c.headers, "x-drop") == "<none>");
    CHECK(H(c.headers, "x-old") == "<none>");
    // Kong checks replace against the headers as they were: x-new did not exist then.
    CHECK(H(c.headers, "x-new") == "o");
    CHECK(H(c.headers, "x-never") == "<none>");
    CHECK(H(c.headers, "x-rep") == "replaced");
    CHECK(H(c.headers, "x-absent") == "<none>");
    CHECK(H(c.headers, "x-add") == "added");
    CHECK(H(c.headers, "x-keep") == "first|second");
    CHECK(H(c.headers, "x-app") == "one");
    CHECK(H(c.headers, "Content-Length") == "7");  // body untouched
    CHECK(c.body == R"({"a":1})");
  }

  TEST_CASE("response-transformer: JSON body operations with json_types, across chunks") {
    Harness t;
    t.Configure(R"({
      "remove":  {"json": ["drop"]},
      "rename":  {"json": ["old:new", "nul:was_null"]},
      "replace": {"json": ["rep:r2", "n:42", "f:true", "absent:x"],
                  "json_types": ["string", "number", "boolean"]},
      "add":     {"json": ["keep:no", "num:3.5", "flag:yes", "path:a/b", "q:say \"hi\""],
                  "json_types": ["string", "number", "boolean"]},
      "append":  {"json": ["s:two", "arr:3", "x:v"], "json_types": ["string", "number"]}
    })");
    const std::string body =
        R"({"drop":1,"old":{"k":true},"nul":null,"rep":"r1","n":1,"f":false,"keep":"one",)"
        R"("s":"one","arr":[1,2],"x":7})";
    Client c = t.Run(Headers({{"Content-Type", "application/json; charset=utf-8"},
                              {"Content-Length", std::to_string(body.size())}}),
                     {body.substr(0, 10), body.substr(10, 30), body.substr(40)});
    CHECK(H(c.headers, "Content-Length") == "<none>");
    CHECK(Sorted(c.body) ==
          Sorted(R"({"new":{"k":true},"was_null":null,"rep":"r2","n":42,"f":false,"keep":"one",)"
                 R"("num":3.5,"flag":false,"path":"a/b","q":"say \"hi\"","s":["one","two"],)"
                 R"("arr":[1,2,3],"x":["v"]})"));
  }

  TEST_CASE("response-transformer: a number json_type that does not parse adds nothing") {
    Harness t;
    t.Configure(R"({"add": {"json": ["a:12x", "b: 0x10 ", "c:1e2"],
                            "json_types": ["number", "number", "number"]}})");
    Client c = t.Run(Headers({{"Content-Type", "application/json"}}), {"{}"});
    CHECK(Sorted(c.body) == Sorted(R"({"b":16,"c":100})"));
  }

  TEST_CASE("response-transformer: non-JSON, undecodable and non-object bodies pass untouched") {
    Harness t;
    t.Configure(R"({"add": {"json": ["a:1"]}})");
    CHECK((t.plugin().phases() & kBodyFilterPhase) != 0);
    Client text = t.Run(Headers({{"Content-Type", "text/plain"}, {"Content-Length", "8"}}),
                        {"{\"b\":", "2}"});
    CHECK(text.body == "{\"b\":2}");
    CHECK(H(text.headers, "Content-Length") == "8");
    Client bad = t.Run(Headers({{"Content-Type", "application/json"}, {"Content-Length", "5"}}),
                       {"{bad", "}"});
    CHECK(bad.body == "{bad}");
    CHECK(H(bad.headers, "Content-Length") == "<none>");  // Kong removed it before the body
    Client array = t.Run(Headers({{"Content-Type", "application/json"}}), {"[1,2]"});
    CHECK(array.body == "[1,2]");
    Client vnd = t.Run(Headers({{"Content-Type", "application/vnd.api+json"}}), {"{}"});
    CHECK(vnd.body == "{}");
    Client listed = t.Run(Headers({{"Content-Type", "text/html, Application/JSON"}}), {"{}"});
    CHECK(listed.body == R"({"a":"1"})");
  }
}
