// Tests for HeaderMap, query/target parsing, percent-coding and wire encoding.
#include "http/message.h"

#include <cctype>

#include "http/encoding.h"
#include "http/header_map.h"
#include "http/span_text.h"
#include "support/test_support.h"

using namespace kong::http;

TEST_SUITE("http") {
  TEST_CASE("HeaderMap keeps order and repeats, looks up case-insensitively") {
    HeaderMap h;
    h.Add("Set-Cookie", "a=1");
    h.Add("content-type", "text/plain");
    h.Add("SET-COOKIE", "b=2");
    CHECK(h.size() == 3);
    CHECK(*h.Get("Content-Type") == "text/plain");
    CHECK(h.GetAll("set-cookie") == std::vector<std::string_view>{"a=1", "b=2"});
    CHECK_FALSE(h.Has("Host"));
    h.Set("set-cookie", "c=3");
    CHECK(h.GetAll("Set-Cookie") == std::vector<std::string_view>{"c=3"});
    CHECK(h.Remove("SET-cookie") == 1);
    h.Add("Connection", "keep-alive, Upgrade");
    CHECK(h.HasToken("connection", "upgrade"));
    CHECK_FALSE(h.HasToken("connection", "close"));
  }

  TEST_CASE("targets split into decoded path and query arguments") {
    std::string path, query;
    SplitTarget("/services/a%20b?size=10&tags=x%2Cy&flag&tags=z+w#frag", &path, &query);
    CHECK(path == "/services/a%20b");
    CHECK(query == "size=10&tags=x%2Cy&flag&tags=z+w");
    CHECK(PercentDecode(path, false) == "/services/a b");
    QueryParams q = ParseQuery(query);
    CHECK(q["size"] == std::vector<std::string>{"10"});
    CHECK(q["tags"] == std::vector<std::string>{"x,y", "z w"});
    CHECK(q["flag"] == std::vector<std::string>{""});
    CHECK(q.size() == 3);

    SplitTarget("http://example.com:8000/p?q=1", &path, &query);
    CHECK(path == "/p");
    CHECK(query == "q=1");
    SplitTarget("", &path, &query);
    CHECK(path == "/");
    // Malformed escapes are kept, as nginx does; '+' is a space only in queries.
    CHECK(PercentDecode("%zz%4%41+", false) == "%zz%4A+");
    CHECK(PercentDecode("a+b", true) == "a b");
    CHECK(PercentEncode("a b/ü~") == "a%20b%2F%C3%BC~");
  }

  TEST_CASE("HeaderMap recycles removed slots and pooled vectors without showing them") {
    std::vector<std::pair<std::string, std::string>> seen;
    auto fields = [&](const HeaderMap& m) {
      seen.assign(m.begin(), m.end());
      return seen.size();
    };
    {
      HeaderMap warm;  // leaves a vector with long strings in this thread's pool
      for (int i = 0; i < 20; ++i) warm.AddCopy("X-Forwarded-Prefix-" + std::to_string(i), std::string(40, 'v'));
    }
    HeaderMap h;
    CHECK(h.empty());
    CHECK(fields(h) == 0);  // a pooled vector's old fields never show
    h.AddCopy("X-Kong-Upstream-Latency", "12");
    h.Add("Via", "1.1 kong");
    h.AddCopy("X-Kong-Request-Id", std::string(32, 'a'));
    CHECK(h.size() == 3);
    CHECK(h.Remove("via") == 1);
    CHECK(h.size() == 2);
    CHECK_FALSE(h.Has("Via"));
    CHECK(fields(h) == 2);
    CHECK(seen[0].first == "X-Kong-Upstream-Latency");
    CHECK(seen[1].second == std::string(32, 'a'));
    h.AddCopy("B", "2");  // lands in the removed slot
    CHECK(fields(h) == 3);
    CHECK(seen[2] == std::pair<std::string, std::string>("B", "2"));
    h.SetCopy("x-kong-upstream-latency", "7");
    CHECK(fields(h) == 3);
    CHECK(seen[2] == std::pair<std::string, std::string>("x-kong-upstream-latency", "7"));

    HeaderMap copy(h);
    CHECK(copy.size() == 3);
    HeaderMap moved(std::move(h));
    CHECK(moved.size() == 3);
    CHECK(h.empty());  // NOLINT(bugprone-use-after-move): moved-from maps are empty
    CHECK(fields(h) == 0);
    h.Add("C", "3");
    CHECK(fields(h) == 1);
    copy = moved;
    CHECK(copy.size() == 3);
    copy = std::move(h);
    CHECK(fields(copy) == 1);
    CHECK(seen[0].first == "C");
    CHECK(copy.RemoveIf([](const HeaderMap::Field&) { return true; }) == 1);
    CHECK(copy.empty());
    CHECK_FALSE(copy.Get("C").has_value());
  }

  TEST_CASE("encoding: dates, heads, chunks and Kong's error bodies") {
    CHECK(HttpDate(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(CurrentHttpDate().size() == 29);
    HeaderMap h;
    h.Add("A", "1");
    CHECK(EncodeResponseHead(404, h) == "HTTP/1.1 404 Not Found\r\nA: 1\r\n\r\n");
    CHECK(EncodeRequestHead("GET", "/x", h) == "GET /x HTTP/1.1\r\nA: 1\r\n\r\n");
    CHECK(EncodeChunk("hello world, 17 b") == "11\r\nhello world, 17 b\r\n");
    CHECK(EncodeChunk("").empty());
    CHECK(ResponseHasNoBody("HEAD", 200));
    CHECK(ResponseHasNoBody("GET", 304));
    CHECK_FALSE(ResponseHasNoBody("GET", 200));

    Response too_large = KongErrorResponse(494);
    CHECK(too_large.status == 400);  // nginx's internal 494 goes out as 400
    CHECK(too_large.body == R"({"message":"Request header or cookie too large"})");
    CHECK(KongErrorResponse(413).body == R"({"message":"Payload too large"})");
    CHECK(*KongErrorResponse(400).headers.Get("content-type") == "application/json; charset=utf-8");
    CHECK(KongErrorResponse(599).body == R"({"message":"The upstream server responded with 599"})");
    CHECK(JsonEscape("a\"b\\\n\x01") == "a\\\"b\\\\\\n\\u0001");
  }

  TEST_CASE("WireWriter appends past its first guess and leaves the string exact") {
    std::string out = "prefix|";
    {
      WireWriter w(&out, 4);  // far too small: grows as fields come
      w.Append("GET / HTTP/1.1\r\n");
      for (int i = 0; i < 50; ++i) w.Field("X-Field-" + std::to_string(i), std::string(40, 'v'));
      w.Append("\r\n");
    }
    CHECK(out.rfind("prefix|GET / HTTP/1.1\r\nX-Field-0: ", 0) == 0);
    // "X-Field-<i>: " + 40 bytes + CRLF: 53 bytes for i < 10, 54 after.
    CHECK(out.size() == 7 + 16 + 10 * 53 + 40 * 54 + 2);
    CHECK(out.substr(out.size() - 5) == "v\r\n\r\n");

    // After Finish() the string is the caller's: the writer's destructor does not cut it.
    std::string head;
    {
      WireWriter w(&head, 256);
      w.Field("A", "b");
      CHECK(w.position() == 6);
      w.Finish();
      head.insert(0, "Z: y\r\n");
    }
    CHECK(head == "Z: y\r\nA: b\r\n");
  }

  TEST_CASE("SpanText: one span is a view; a second span or Keep() copies it") {
    kong::http::SpanText t;
    std::string input = "Content-Type";
    t.Append(input.data(), 7);
    CHECK(t.view().data() == input.data());  // no copy for the usual single span
    t.Append(input.data() + 7, 5);           // split across two spans: joined in a copy
    CHECK(t.view() == "Content-Type");
    CHECK(t.view().data() != input.data());

    t.clear();
    CHECK(t.view().empty());
    t.Keep();  // nothing pending: stays a view-in-waiting
    t.Append(input.data(), 4);
    CHECK(t.view().data() == input.data());
    t.Keep();                 // the input is about to be reused
    input.replace(0, 4, "XXXX");
    CHECK(t.view() == "Cont");
    t.Append("ent", 3);
    CHECK(t.view() == "Content");
    CHECK(t.size() == 7);
  }

  TEST_CASE("EqualsIgnoreCase at every length, same spelling or not") {
    const std::string base = "Content-Security-Policy-Report-Only";
    for (size_t n = 0; n <= base.size(); ++n) {
      const std::string a = base.substr(0, n);
      std::string lower = a, upper = a;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      CHECK(EqualsIgnoreCase(a, a));
      CHECK(EqualsIgnoreCase(a, lower));
      CHECK(EqualsIgnoreCase(upper, lower));
      if (n == 0) continue;
      std::string other = a;
      other[n / 2] = other[n / 2] == '-' ? '_' : '-';  // one byte differs, anywhere
      CHECK_FALSE(EqualsIgnoreCase(a, other));
      std::string last = a;
      last[n - 1] = '~';
      CHECK_FALSE(EqualsIgnoreCase(a, last));
    }
    CHECK_FALSE(EqualsIgnoreCase("X-Forwarded-For", "X-Forwarded-Fox"));
    CHECK_FALSE(EqualsIgnoreCase("^", "~"));  // not letters: no case to ignore
  }

  TEST_CASE("WireWriter copies texts of every length intact") {
    std::string text;
    for (int i = 0; i < 40; ++i) text.push_back(static_cast<char>('a' + i % 26));
    for (size_t n = 0; n <= text.size(); ++n) {
      std::string out;
      {
        WireWriter w(&out, 1);
        w.Field(text.substr(0, n), text.substr(text.size() - n));
        w.Append(text.substr(0, n));
      }
      CHECK(out == text.substr(0, n) + ": " + text.substr(text.size() - n) + "\r\n" +
                       text.substr(0, n));
    }
  }
}
