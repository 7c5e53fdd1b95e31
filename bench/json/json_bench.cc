// Times json::Parse and json::Serialize on a generated 10,000-service declarative export.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "json/path.h"
#include "json/value.h"

namespace {

using kong::json::Array;
using kong::json::Object;
using kong::json::Value;

// Roughly the shape of Kong's export: services with a route and a plugin each.
Value MakeExport(int services) {
  Array svcs, routes, plugins;
  for (int i = 0; i < services; ++i) {
    std::string n = std::to_string(i);
    std::string id = "0b6b3e2a-1111-4e7b-9f51-" + std::string(12 - n.size(), '0') + n;
    svcs.push_back(Object{{"id", id},
                          {"name", "service-" + n},
                          {"protocol", "http"},
                          {"host", "upstream-" + n + ".internal"},
                          {"port", 8080},
                          {"path", "/api/v1"},
                          {"retries", 5},
                          {"connect_timeout", 60000},
                          {"write_timeout", 60000},
                          {"read_timeout", 60000},
                          {"tags", Array{"team-a", "env:prod"}},
                          {"enabled", true},
                          {"client_certificate", nullptr},
                          {"created_at", 1700000000 + i}});
    routes.push_back(Object{{"id", id + "r"},
                            {"name", "route-" + n},
                            {"paths", Array{"/svc/" + n, "/legacy/" + n + "/\"quoted\""}},
                            {"methods", Array{"GET", "POST"}},
                            {"strip_path", true},
                            {"service", Object{{"id", id}}},
                            {"regex_priority", 0}});
    plugins.push_back(Object{
        {"name", "rate-limiting"},
        {"service", Object{{"id", id}}},
        {"config",
         Object{{"minute", 100}, {"policy", "local"}, {"fault_tolerant", true}, {"ratio", 0.75}}}});
  }
  return Value(Object{{"_format_version", "3.0"},
                      {"services", std::move(svcs)},
                      {"routes", std::move(routes)},
                      {"plugins", std::move(plugins)}});
}

double MedianMs(int runs, const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int services = argc > 1 ? std::stoi(argv[1]) : 10000;
  int runs = argc > 2 ? std::stoi(argv[2]) : 15;
  Value doc = MakeExport(services);
  std::string text = kong::json::Serialize(doc);
  double mib = static_cast<double>(text.size()) / (1 << 20);
  std::printf("document: %d services, %.2f MiB compact\n", services, mib);

  size_t sink = 0;
  auto report = [&](const char* what, double ms, double size_mib) {
    std::printf("%-24s %8.2f ms  %7.1f MiB/s\n", what, ms, size_mib / (ms / 1000.0));
  };
  report("parse", MedianMs(runs, [&] { sink += kong::json::Parse(text)->as_object().size(); }),
         mib);
  report("serialize compact", MedianMs(runs, [&] { sink += kong::json::Serialize(doc).size(); }),
         mib);
  kong::json::SerializeOptions sorted;
  sorted.sort_keys = true;
  report("serialize sort_keys",
         MedianMs(runs, [&] { sink += kong::json::Serialize(doc, sorted).size(); }), mib);
  kong::json::SerializeOptions pretty;
  pretty.pretty = true;
  report("serialize pretty",
         MedianMs(runs, [&] { sink += kong::json::Serialize(doc, pretty).size(); }), mib);
  Value copy = doc;
  report("deep ==", MedianMs(runs, [&] { sink += (copy == doc); }), mib);
  report("copy",
         MedianMs(runs,
                  [&] {
                    Value c = doc;
                    sink += c.is_object();
                  }),
         mib);
  std::string long_text(1 << 20, 'a');
  report("quote 1 MiB of ASCII",
         MedianMs(runs, [&] { sink += kong::json::QuoteJsonString(long_text).size(); }), 1.0);
  std::printf("(checksum %zu)\n", sink);
  return 0;
}
