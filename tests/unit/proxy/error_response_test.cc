// Tests for Kong's error bodies and their content negotiation.
#include "proxy/error_response.h"

#include "support/test_support.h"

using kong::http::HeaderMap;
using kong::proxy::NegotiateErrorType;

namespace {
HeaderMap WithAccept(std::string_view accept) {
  HeaderMap h;
  h.Add("Accept", std::string(accept));
  return h;
}
}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("router 404 in every format, exactly Kong's templates") {
    const HeaderMap none;
    auto json = kong::proxy::KongError(404, kong::proxy::kNoRouteMessage, none, "rid-1");
    CHECK(json.status == 404);
    CHECK(json.content_type == "application/json; charset=utf-8");
    CHECK(json.body ==
          "{\n  \"message\":\"no Route matched with those values\",\n"
          "  \"request_id\":\"rid-1\"\n}");

    auto html = kong::proxy::KongError(404, kong::proxy::kNoRouteMessage,
                                       WithAccept("text/html"), "rid-1");
    CHECK(html.content_type == "text/html; charset=utf-8");
    CHECK(html.body ==
          "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n"
          "    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n"
          "    <p>no Route matched with those values.</p>\n    <p>request_id: rid-1</p>\n"
          "  </body>\n</html>\n");

    auto xml = kong::proxy::KongError(404, kong::proxy::kNoRouteMessage,
                                      WithAccept("application/xml"), "rid-1");
    CHECK(xml.content_type == "application/xml; charset=utf-8");
    CHECK(xml.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n"
          "  <message>no Route matched with those values</message>\n"
          "  <requestid>rid-1</requestid>\n</error>\n");

    auto text = kong::proxy::KongError(404, kong::proxy::kNoRouteMessage,
                                       WithAccept("text/plain"), "rid-1");
    CHECK(text.content_type == "text/plain; charset=utf-8");
    CHECK(text.body == "no Route matched with those values\nrequest_id: rid-1\n");

    auto no_service = kong::proxy::KongError(503, kong::proxy::kNoServiceMessage, none, "r");
    CHECK(no_service.status == 503);
    CHECK(no_service.body.find("\"message\":\"no Service found with those values\"") !=
          std::string::npos);
    auto no_peer = kong::proxy::KongError(503, kong::proxy::kNoPeerMessage,
                                          WithAccept("text/plain"), "r");
    CHECK(no_peer.body == "failure to get a peer from the ring-balancer\nrequest_id: r\n");
  }

  TEST_CASE("Accept negotiation follows Kong's get_response_type") {
    constexpr std::string_view kJson = "application/json; charset=utf-8";
    constexpr std::string_view kHtml = "text/html; charset=utf-8";
    constexpr std::string_view kPlain = "text/plain; charset=utf-8";
    constexpr std::string_view kXml = "application/xml; charset=utf-8";
    CHECK(NegotiateErrorType(std::nullopt) == kJson);
    CHECK(NegotiateErrorType("") == kJson);
    CHECK(NegotiateErrorType("*/*") == kJson);
    CHECK(NegotiateErrorType("text/*") == kPlain);
    CHECK(NegotiateErrorType("application/*") == kJson);
    CHECK(NegotiateErrorType("image/png") == kJson);
    // Highest q wins; among equals the first; q=0 never.
    CHECK(NegotiateErrorType("application/json;q=0.5, text/html") == kHtml);
    CHECK(NegotiateErrorType("text/html;q=0.8, application/xml;q=0.9") == kXml);
    CHECK(NegotiateErrorType("text/plain, text/html") == kPlain);
    CHECK(NegotiateErrorType("text/html;q=0") == kJson);
    CHECK(NegotiateErrorType("text/html; level=1; q=0.2, text/plain;q=0.1") == kHtml);
    // A browser's Accept.
    CHECK(NegotiateErrorType("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") ==
          kHtml);
    // Lookups are case-sensitive in Kong (a Lua table), so upper case falls back to JSON.
    CHECK(NegotiateErrorType("TEXT/HTML") == kJson);
    // Malformed items are skipped.
    CHECK(NegotiateErrorType("nonsense, text/plain;q=0.3") == kPlain);
    CHECK(NegotiateErrorType("application/grpc") == "application/grpc");
    // Several Accept fields count as one list.
    HeaderMap two;
    two.Add("Accept", "application/json;q=0.1");
    two.Add("Accept", "application/xml");
    CHECK(kong::proxy::KongError(404, "x", two, "r").content_type == kXml);
  }

  TEST_CASE("upstream failures: messages, Accept, then Content-Type, then error_default_type") {
    const HeaderMap none;
    auto bad_gateway = kong::proxy::UpstreamError(502, none, "r");
    CHECK(bad_gateway.status == 502);
    CHECK(bad_gateway.content_type == "text/plain; charset=utf-8");
    CHECK(bad_gateway.body ==
          "An invalid response was received from the upstream server\nrequest_id: r\n");

    auto timeout = kong::proxy::UpstreamError(504, WithAccept("application/json"), "r");
    CHECK(timeout.body ==
          "{\n  \"message\":\"The upstream server is timing out\",\n  \"request_id\":\"r\"\n}");

    HeaderMap form;
    form.Add("Content-Type", "text/html");
    CHECK(kong::proxy::UpstreamError(503, form, "r").body.find(
              "<p>The upstream server is currently unavailable.</p>") != std::string::npos);

    CHECK(kong::proxy::UpstreamError(500, none, "r", "application/xml").content_type ==
          "application/xml; charset=utf-8");

    auto too_large = kong::proxy::UpstreamError(494, none, "r");
    CHECK(too_large.status == 400);
    CHECK(too_large.body == "Request header or cookie too large\nrequest_id: r\n");

    CHECK(kong::proxy::UpstreamErrorMessage(418) == "The upstream server responded with 418");
    CHECK(kong::proxy::UpstreamErrorMessage(413) == "Payload too large");

    HeaderMap grpc;
    grpc.Add("Content-Type", "application/grpc+proto");
    auto g = kong::proxy::UpstreamError(502, grpc, "r");
    CHECK(g.content_type == "application/grpc");
    CHECK(g.body.empty());
  }
}
