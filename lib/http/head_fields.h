// Header fields produced on demand: lets a head encoder write a response's fields straight to
// the wire instead of first collecting them in a HeaderMap (the proxy's per-request path).
#ifndef KONG_HTTP_HEAD_FIELDS_H_
#define KONG_HTTP_HEAD_FIELDS_H_

#include <string_view>

#include "http/header_map.h"

namespace kong::http {

// Receives fields one at a time, in order.
class FieldSink {
 public:
  virtual void Add(std::string_view name, std::string_view value) = 0;

 protected:
  ~FieldSink() = default;
};

// A head's fields, emitted once per encoding. Views passed to the sink stay valid only during
// the Add() call.
class HeadFields {
 public:
  virtual void EmitTo(FieldSink& sink) const = 0;

 protected:
  ~HeadFields() = default;
};

// The fields of a HeaderMap, in order.
class HeaderMapFields final : public HeadFields {
 public:
  explicit HeaderMapFields(const HeaderMap& map) : map_(map) {}
  void EmitTo(FieldSink& sink) const override {
    for (const auto& [name, value] : map_) sink.Add(name, value);
  }

 private:
  const HeaderMap& map_;
};

// Appends each field to a HeaderMap (AddCopy).
class HeaderMapSink final : public FieldSink {
 public:
  explicit HeaderMapSink(HeaderMap* out) : out_(out) {}
  void Add(std::string_view name, std::string_view value) override { out_->AddCopy(name, value); }

 private:
  HeaderMap* out_;
};

}  // namespace kong::http

#endif  // KONG_HTTP_HEAD_FIELDS_H_
