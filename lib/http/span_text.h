// A header name or value as llhttp hands it over: in spans of the parser's input.
#ifndef KONG_HTTP_SPAN_TEXT_H_
#define KONG_HTTP_SPAN_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace kong::http {

// Usually one span: kept as a view into the input (no copy per field). A second span, or
// Keep() before the input goes away (end of an llhttp_execute call), copies it.
class SpanText {
 public:
  void Append(const char* at, size_t n) {
    if (!owned_ && view_.empty()) {
      view_ = std::string_view(at, n);
      return;
    }
    Keep();
    text_.append(at, n);
  }
  // The input the view points into is about to be reused or freed.
  void Keep() {
    if (owned_ || view_.empty()) return;
    text_.assign(view_);
    owned_ = true;
  }
  std::string_view view() const { return owned_ ? std::string_view(text_) : view_; }
  size_t size() const { return view().size(); }
  void clear() {
    view_ = {};
    text_.clear();  // keeps its buffer
    owned_ = false;
  }

 private:
  std::string_view view_;
  std::string text_;
  bool owned_ = false;
};

}  // namespace kong::http

#endif  // KONG_HTTP_SPAN_TEXT_H_
