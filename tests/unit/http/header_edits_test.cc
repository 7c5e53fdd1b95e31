// Tests for HeaderEdits: a plugin's set/add/clear of response fields, applied to a map or
// emitted on top of a direct encoding, with the result of the same calls made on a HeaderMap.
#include "http/header_edits.h"

#include <random>
#include <string>
#include <vector>

#include "support/test_support.h"

using kong::http::HeaderEdits;
using kong::http::HeaderMap;

namespace {

// Collects emitted fields.
struct Collect final : kong::http::FieldSink {
  void Add(std::string_view name, std::string_view value) override { map.AddCopy(name, value); }
  HeaderMap map;
};

// The values of `name` in `h`, in order.
std::vector<std::string> Values(const HeaderMap& h, std::string_view name) {
  std::vector<std::string> out;
  h.ForEach(name, [&](std::string_view v) { out.emplace_back(v); });
  return out;
}

// The direct encoding (the head's fields minus Replaces(), then EmitTo) gives `applied`
// (ApplyTo on the head), field by field.
void CheckEmittedEqualsApplied(const HeaderMap& head, const HeaderEdits& edits,
                               const HeaderMap& applied) {
  Collect emitted;
  for (const auto& [name, value] : head) {
    if (!edits.Replaces(name)) emitted.Add(name, value);
  }
  edits.EmitTo(emitted);
  REQUIRE(emitted.map.size() == applied.size());
  auto a = applied.begin();
  for (const auto& field : emitted.map) CHECK(field == *a++);
}

}  // namespace

TEST_SUITE("http") {
  TEST_CASE("HeaderEdits: set replaces the head's fields and earlier edits, add keeps them") {
    HeaderMap head;
    head.Add("Vary", "Accept");
    head.Add("x-ratelimit-limit-minute", "999");  // any case
    head.Add("Content-Type", "text/plain");
    head.Add("Access-Control-Allow-Origin", "*");
    HeaderEdits edits;
    CHECK(edits.empty());
    edits.Add("Vary", "Origin");
    edits.Set("X-RateLimit-Limit-Minute", "10");
    edits.Set("X-RateLimit-Limit-Minute", "20");  // the later set wins
    edits.Add("X-Extra", "1");
    edits.Set("X-Extra", "2");                    // drops the earlier add
    edits.Add("X-Extra", "3");
    edits.Remove("Access-Control-Allow-Origin");  // clear_header
    CHECK(!edits.empty());
    CHECK(edits.Replaces("x-ratelimit-limit-minute"));
    CHECK(edits.Replaces("ACCESS-CONTROL-ALLOW-ORIGIN"));
    CHECK(!edits.Replaces("Vary"));
    CHECK(!edits.Replaces("Content-Type"));

    HeaderMap applied = head;
    edits.ApplyTo(&applied);
    CHECK(Values(applied, "Vary") == std::vector<std::string>{"Accept", "Origin"});
    CHECK(Values(applied, "X-RateLimit-Limit-Minute") == std::vector<std::string>{"20"});
    CHECK(Values(applied, "X-Extra") == std::vector<std::string>{"2", "3"});
    CHECK(!applied.Has("Access-Control-Allow-Origin"));
    CHECK(Values(applied, "Content-Type") == std::vector<std::string>{"text/plain"});
    CHECK(applied.size() == 6);

    CheckEmittedEqualsApplied(head, edits, applied);
  }

  TEST_CASE("HeaderEdits: random calls give what the same calls on a HeaderMap give") {
    // Names of several lengths, one of 70 bytes (beyond the length filter), spelled in two cases.
    const std::vector<std::string> names = {"A", "Vary", "vary", "X-Rl", "X-RL",
                                            "RateLimit-Reset", std::string(70, 'n'),
                                            std::string(70, 'N')};
    std::mt19937 rng(7);
    for (int round = 0; round < 500; ++round) {
      HeaderMap head;
      const int head_fields = static_cast<int>(rng() % 5);
      for (int i = 0; i < head_fields; ++i) head.AddCopy(names[rng() % names.size()], "h" + std::to_string(i));
      HeaderMap reference = head;
      HeaderEdits edits;
      const int calls = static_cast<int>(rng() % 8);
      for (int i = 0; i < calls; ++i) {
        const std::string& name = names[rng() % names.size()];
        const std::string value = "e" + std::to_string(i);
        switch (rng() % 3) {
          case 0: edits.Set(name, value); reference.SetCopy(name, value); break;
          case 1: edits.Add(name, value); reference.AddCopy(name, value); break;
          default: edits.Remove(name); reference.Remove(name); break;
        }
      }
      HeaderMap applied = head;
      edits.ApplyTo(&applied);
      REQUIRE(applied.size() == reference.size());
      for (const std::string& name : names) {
        CHECK_MESSAGE(Values(applied, name) == Values(reference, name), "round ", round, " ", name);
      }
      CheckEmittedEqualsApplied(head, edits, applied);
    }
  }
}
