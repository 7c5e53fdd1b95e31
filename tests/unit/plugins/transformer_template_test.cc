// request-transformer's templates and the "name:value" entries both transformers share.
#include <doctest/doctest.h>

#include "plugins/transformer_template.h"

using kong::plugins::SplitNameValue;
using kong::plugins::Template;
using kong::plugins::TemplateEnv;

namespace {

struct Env {
  kong::http::HeaderMap headers;
  kong::http::QueryParams query;
  kong::router::RouteMatch match;
  TemplateEnv env() const { return TemplateEnv{&headers, &query, &match}; }
};

Env MakeEnv() {
  Env e;
  e.headers.Add("X-One", "1");
  e.headers.Add("X-Dashed-Name", "dashed");
  e.headers.Add("X-Many", "first");
  e.headers.Add("X-Many", "second");
  e.query = kong::http::ParseQuery("q=search&multi=a&multi=b&enc=a%20b");
  // "/users/42/posts" matched by ^/users/(?<id>\d+)/(\w+)
  e.match.path = "/users/42/posts";
  e.match.captures = {std::pair<size_t, size_t>{0, 15}, std::pair<size_t, size_t>{7, 2},
                      std::pair<size_t, size_t>{10, 5}};
  e.match.capture_names = {{"id", 1}};
  return e;
}

std::string Render(const Env& e, std::string_view source) {
  auto out = Template::Compile(source).Render(e.env());
  REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  return *out;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("transformer entries: the name stops at the first ':' and every ':' after is skipped") {
    CHECK(SplitNameValue("a:b").name == "a");
    CHECK(SplitNameValue("a:b").value == "b");
    CHECK(SplitNameValue("a:::b:c").value == "b:c");
    CHECK(SplitNameValue("a").value.empty());
    CHECK(SplitNameValue("a:").value.empty());
    CHECK(SplitNameValue("x-h:$(headers[\"a:b\"])").value == "$(headers[\"a:b\"])");
  }

  TEST_CASE("templates: literal text, headers by field, bracket and underscore spelling") {
    Env e = MakeEnv();
    CHECK(Template::Compile("plain value").is_literal());
    CHECK(Render(e, "plain value") == "plain value");
    CHECK(Render(e, "v=$(headers.x_one)") == "v=1");  // '_' reads as '-', any case
    CHECK(Render(e, "$(headers[\"x-dashed-name\"])!") == "dashed!");
    CHECK(Render(e, "$(headers['X-DASHED-NAME'])") == "dashed");
    CHECK(Render(e, "$(headers.x_many)") == "first");
    CHECK(Render(e, "[$(headers.absent)]") == "[]");  // nil renders as ""
    CHECK(Template::Compile("$(headers.x)").reads_headers());
    CHECK_FALSE(Template::Compile("$(query_params.x)").reads_headers());
  }

  TEST_CASE("templates: query_params, uri_captures by name and index, shared, `or` fallbacks") {
    Env e = MakeEnv();
    CHECK(Render(e, "$(query_params.q)") == "search");
    CHECK(Render(e, "$(query_params[\"enc\"])") == "a b");  // decoded, as Kong's get_query
    CHECK(Render(e, "$(query_params.multi)") == "a");
    CHECK(Render(e, "/v2/$(uri_captures.id)/$(uri_captures[2])") == "/v2/42/posts");
    CHECK(Render(e, "$(uri_captures['id'])") == "42");
    CHECK(Render(e, "[$(uri_captures[0])][$(uri_captures[9])]") == "[][]");
    CHECK(Render(e, "[$(shared.anything)]") == "[]");
    CHECK(Render(e, "$(headers.absent or 'fallback')") == "fallback");
    CHECK(Render(e, "$(headers.absent or query_params.q or \"x\")") == "search");
    CHECK(Render(e, "$(unknown_global)") == "");  // the sandbox yields nil
    CHECK(Render(e, "$ (not a template) $x") == "$ (not a template) $x");
    CHECK(Render(e, "a $(headers.x_one) b $(query_params.q) c") == "a 1 b search c");
  }

  TEST_CASE("templates: indexing nil and unsupported expressions are render errors") {
    Env e = MakeEnv();
    for (const char* bad : {"$(headers.absent.sub)", "$(nothing.at_all)", "$(headers.x_one .. 'x')",
                            "$(string.upper('x'))", "$(headers[)", "$()", "$(1 + 2)"}) {
      auto out = Template::Compile(bad).Render(e.env());
      CHECK_MESSAGE(!out.ok(), bad);
      if (!out.ok()) {
        CHECK(out.status().message().find("failed to render the template") != std::string::npos);
      }
    }
    // A string's fields are nil, not an error (Lua's string metatable).
    CHECK(Render(e, "[$(headers.x_one.zzz)]") == "[]");
  }

  TEST_CASE("templates: a null env reads as empty tables") {
    TemplateEnv empty;
    auto out = Template::Compile("[$(headers.a)$(query_params.b)$(uri_captures.c)]").Render(empty);
    REQUIRE(out.ok());
    CHECK(*out == "[]");
  }
}
