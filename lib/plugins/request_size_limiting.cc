// request-size-limiting (kong-entities.md §6.5, Kong 3.10 handler.lua): a Content-Length over
// allowed_payload_size x size_unit gets 413 "Request size limit exceeded" (417 with
// `Expect: 100-continue`); without Content-Length, require_content_length answers 411 unless
// the body is chunked, and a chunked body is counted while it streams (ctx.request_body_limit)
// instead of being buffered first as Kong does.
#include <cstdint>
#include <memory>
#include <string>

#include "base/text.h"
#include "plugins/config_fields.h"
#include "plugins/factory.h"

namespace kong::plugins {
namespace {

constexpr std::string_view kTooLarge = "Request size limit exceeded";

class RequestSizeLimiting final : public Plugin {
 public:
  RequestSizeLimiting(PluginSpec spec, uint64_t allowed_bytes, bool require_content_length)
      : Plugin(std::move(spec)),
        allowed_bytes_(allowed_bytes),
        require_content_length_(require_content_length) {}

  uint32_t phases() const override { return kAccessPhase; }

  Flow Access(PluginContext& ctx) const override {
    const http::Request& req = ctx.request;
    if (req.content_length >= 0) {
      return Check(ctx, static_cast<uint64_t>(req.content_length));
    }
    if (require_content_length_ && !req.chunked) {
      ctx.Exit(411, "A valid Content-Length header is required");
      return Flow::kExit;
    }
    if (!req.body_streamed) return Check(ctx, req.body.size());  // already buffered
    // A chunked body still streaming: the gateway stops it with 413 past the limit.
    ctx.request_body_limit = allowed_bytes_;
    return Flow::kContinue;
  }

 private:
  Flow Check(PluginContext& ctx, uint64_t length) const {
    if (length <= allowed_bytes_) return Flow::kContinue;
    std::optional<std::string_view> expect = ctx.request.headers.Get("Expect");
    const bool continue_expected =
        expect && base::ToLower(base::Trim(*expect)) == "100-continue";
    ctx.Exit(continue_expected ? 417 : 413, std::string(kTooLarge));
    return Flow::kExit;
  }

  uint64_t allowed_bytes_;
  bool require_content_length_;
};

Result<uint64_t> AllowedBytes(const json::Value* config) {
  const double size = config::Number(config, "allowed_payload_size").value_or(128);
  const std::string unit = config::String(config, "size_unit").value_or("megabytes");
  if (size < 0) {
    return Status::InvalidArgument("request-size-limiting: allowed_payload_size must be >= 0");
  }
  uint64_t factor = 0;
  if (unit == "megabytes") {
    factor = uint64_t{1} << 20;
  } else if (unit == "kilobytes") {
    factor = uint64_t{1} << 10;
  } else if (unit == "bytes") {
    factor = 1;
  } else {
    return Status::InvalidArgument("request-size-limiting: unknown size_unit '" + unit + "'");
  }
  return static_cast<uint64_t>(size) * factor;
}

}  // namespace

PluginDescriptor RequestSizeLimitingDescriptor() {
  PluginDescriptor d;
  d.name = "request-size-limiting";
  d.priority = 951;
  d.create = [](PluginSpec spec, const PluginEnv&) -> Result<std::unique_ptr<Plugin>> {
    auto allowed = AllowedBytes(spec.config);
    if (!allowed.ok()) return allowed.status();
    const bool require_cl = config::Bool(spec.config, "require_content_length", false);
    return std::unique_ptr<Plugin>(
        std::make_unique<RequestSizeLimiting>(std::move(spec), *allowed, require_cl));
  };
  return d;
}

}  // namespace kong::plugins
