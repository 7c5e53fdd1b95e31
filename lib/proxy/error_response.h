// Kong's error responses with content negotiation (kong-entities.md §4.9): the router's and
// balancer's kong.response.error(), and the upstream-failure pages of kong/error_handlers.lua.
#ifndef KONG_PROXY_ERROR_RESPONSE_H_
#define KONG_PROXY_ERROR_RESPONSE_H_

#include <optional>
#include <string>
#include <string_view>

#include "http/header_map.h"

namespace kong::proxy {

// Kong's messages, verbatim.
inline constexpr std::string_view kNoRouteMessage = "no Route matched with those values";
inline constexpr std::string_view kNoServiceMessage = "no Service found with those values";
inline constexpr std::string_view kNoPeerMessage = "failure to get a peer from the ring-balancer";
inline constexpr std::string_view kNameResolutionMessage = "name resolution failed";
inline constexpr std::string_view kHttpsRequiredMessage = "Please use HTTPS protocol";

// A response body ready to send: status, Content-Type and body.
struct ErrorResponse {
  int status = 500;
  // "application/json; charset=utf-8", "text/html; charset=utf-8",
  // "application/xml; charset=utf-8", "text/plain; charset=utf-8", or "application/grpc" (then
  // the body is empty: gRPC carries errors in trailers, which the caller must add).
  std::string content_type;
  std::string body;
};

// Kong's utils.get_response_type: the Content-Type of the error format for an Accept value
// (several Accept fields joined with ","). The media range with the highest q wins (the first
// among equals; q=0 never); text/html, application/json, application/xml, text/plain,
// application/grpc, text/* (plain) and application/* (JSON) are known, with their exact
// lower-case spelling; anything else, */* and no Accept at all give JSON.
std::string_view NegotiateErrorType(std::optional<std::string_view> accept);

// The JSON, HTML, XML or plain-text error page for `content_type` (a NegotiateErrorType()
// result): Kong's templates with `message` and `request_id` inserted as they are.
std::string ErrorBody(std::string_view content_type, std::string_view message,
                      std::string_view request_id);

// kong.response.error(status, message): used for the router's 404 (kNoRouteMessage), 503 for
// a route without service (kNoServiceMessage), balancer failures and the like. The format
// follows the request's Accept headers.
ErrorResponse KongError(int status, std::string_view message, const http::HeaderMap& request,
                        std::string_view request_id);

// The message error_handlers.lua shows for an upstream failure status: 502 "An invalid
// response was received from the upstream server", 504 "The upstream server is timing out",
// ..., "The upstream server responded with <status>" for statuses without one.
std::string UpstreamErrorMessage(int status);

// The page nginx's error_page sends through kong/error_handlers.lua for `status` (502 refused
// or reset, 504 timeout, 500, 494 ...). The format comes from Accept, else the request's
// Content-Type, else `error_default_type` (kong.conf, default "text/plain"); an Accept or
// Content-Type starting with "application/grpc" gives the gRPC form. 494 (header too large)
// is answered as 400 with its own message.
ErrorResponse UpstreamError(int status, const http::HeaderMap& request,
                            std::string_view request_id,
                            std::string_view error_default_type = "text/plain");

}  // namespace kong::proxy

#endif  // KONG_PROXY_ERROR_RESPONSE_H_
