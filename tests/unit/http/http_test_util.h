// Test helpers for lib/http: a started server on 127.0.0.1:0 and an independent llhttp-based
// splitter for the raw bytes a LoopbackPeer received.
#ifndef KONG_TESTS_UNIT_HTTP_HTTP_TEST_UTIL_H_
#define KONG_TESTS_UNIT_HTTP_HTTP_TEST_UTIL_H_

#include <llhttp.h>

#include <memory>
#include <string>
#include <vector>

#include "http/server.h"
#include "support/test_support.h"
#include "unit/net/loopback_peer.h"

namespace kong::test {

struct RawResponse {
  int status = 0;
  http::HeaderMap headers;
  std::string body;
};

// Parses back-to-back responses; the last one may be incomplete and is then left out.
// `head_only` marks responses (by index) that answer HEAD requests.
inline std::vector<RawResponse> SplitResponses(std::string_view raw,
                                               std::vector<bool> head_only = {}) {
  struct State {
    std::vector<RawResponse> done;
    RawResponse cur;
    std::string field, value;
    std::vector<bool> head_only;
  } st;
  st.head_only = std::move(head_only);
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_message_begin = [](llhttp_t* p) {
    static_cast<State*>(p->data)->cur = RawResponse();
    return 0;
  };
  s.on_header_field = [](llhttp_t* p, const char* at, size_t n) {
    static_cast<State*>(p->data)->field.append(at, n);
    return 0;
  };
  s.on_header_value = [](llhttp_t* p, const char* at, size_t n) {
    static_cast<State*>(p->data)->value.append(at, n);
    return 0;
  };
  s.on_header_value_complete = [](llhttp_t* p) {
    auto* st = static_cast<State*>(p->data);
    st->cur.headers.Add(std::move(st->field), std::move(st->value));
    st->field.clear();
    st->value.clear();
    return 0;
  };
  s.on_headers_complete = [](llhttp_t* p) {
    auto* st = static_cast<State*>(p->data);
    st->cur.status = p->status_code;
    size_t i = st->done.size();
    return (i < st->head_only.size() && st->head_only[i]) ? 1 : 0;
  };
  s.on_body = [](llhttp_t* p, const char* at, size_t n) {
    static_cast<State*>(p->data)->cur.body.append(at, n);
    return 0;
  };
  s.on_message_complete = [](llhttp_t* p) {
    auto* st = static_cast<State*>(p->data);
    st->done.push_back(std::move(st->cur));
    return 0;
  };
  llhttp_t parser;
  llhttp_init(&parser, HTTP_RESPONSE, &s);
  parser.data = &st;
  llhttp_execute(&parser, raw.data(), raw.size());
  return std::move(st.done);
}

// A server listening on 127.0.0.1:0.
struct TestServer {
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;

  TestServer(EventLoop& loop, http::ServerOptions options, http::Handler handler) {
    auto s = http::Server::Create(loop, std::move(options), std::move(handler));
    REQUIRE_OK(s.status());
    server = std::move(s).value();
    auto spec = net::ParseListenSpec("127.0.0.1:0");
    auto bound = server->Listen(*spec);
    REQUIRE_OK(bound.status());
    port = *bound;
  }

  // Closes the server and waits for its close callback.
  void Close(EventLoop& loop) {
    bool closed = false;
    server->Close([&] { closed = true; });
    CHECK(WaitUntil(loop, [&] { return closed; }));
    server.reset();
  }
};

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_HTTP_HTTP_TEST_UTIL_H_
