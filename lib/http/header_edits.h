// HeaderEdits: changes to a response's fields decided before its head is encoded (a plugin's
// kong.response.set_header / add_header / clear_header). Applied to a HeaderMap, or emitted on
// top of fields encoded straight from elsewhere (the proxied response's direct encoding), with
// the same result either way: the result of making the same calls on the head's HeaderMap.
#ifndef KONG_HTTP_HEADER_EDITS_H_
#define KONG_HTTP_HEADER_EDITS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "http/head_fields.h"
#include "http/header_map.h"

namespace kong::http {

// Fields and their text live inline (a few hundred bytes) until they outgrow it: the plugins
// of a proxied request write about six fields, and this runs on every such request.
// Not copyable (the storage pointers may point inside the object).
class HeaderEdits {
 public:
  HeaderEdits() = default;
  HeaderEdits(const HeaderEdits&) = delete;
  HeaderEdits& operator=(const HeaderEdits&) = delete;

  // Every field called `name` goes (the head's and earlier edits'), then this one is added.
  void Set(std::string_view name, std::string_view value);
  // Adds a field, keeping those of the same name.
  void Add(std::string_view name, std::string_view value);
  // Every field called `name` goes.
  void Remove(std::string_view name);

  // Forgets every edit (keeps the storage).
  void Clear() {
    count_ = text_size_ = 0;
    names_lengths_ = replaced_lengths_ = {};
  }

  bool empty() const { return count_ == 0; }
  // True when a Set or a Remove named `name`: the head's fields of that name do not go out.
  bool Replaces(std::string_view name) const {
    return replaced_lengths_.MayHave(name.size()) && ReplacesSlow(name);
  }

  // Removes the replaced fields from `headers`, then appends the edits' fields.
  void ApplyTo(HeaderMap* headers) const;
  // The edits' fields, in ApplyTo's order (the head's own fields go first, minus Replaces()).
  void EmitTo(FieldSink& sink) const;

 private:
  enum class Kind : uint8_t {
    kSet,     // a field that replaced its name's
    kAdd,     // a field
    kGone,    // a field a later Set or Remove took away
    kRemoved, // no field: marks a removed name
  };
  struct Entry {
    size_t name_off;
    size_t name_size;
    size_t value_off;
    size_t value_size;
    Kind kind;
  };

  void Append(std::string_view name, std::string_view value, Kind kind);
  void TakeAway(std::string_view name);  // live fields called `name` become kGone
  bool ReplacesSlow(std::string_view name) const;
  std::string_view NameOf(const Entry& e) const { return {text_ + e.name_off, e.name_size}; }
  std::string_view ValueOf(const Entry& e) const { return {text_ + e.value_off, e.value_size}; }

  static constexpr size_t kInlineEntries = 12;
  static constexpr size_t kInlineText = 384;

  Entry* entries_ = inline_entries_.data();
  size_t count_ = 0;
  size_t entry_capacity_ = kInlineEntries;
  char* text_ = inline_text_.data();
  size_t text_size_ = 0;
  size_t text_capacity_ = kInlineText;
  NameLengths names_lengths_;     // of every edit
  NameLengths replaced_lengths_;  // of the Sets and Removes
  std::unique_ptr<Entry[]> heap_entries_;  // once the inline entries are full
  std::unique_ptr<char[]> heap_text_;      // once the inline text is full
  std::array<Entry, kInlineEntries> inline_entries_;
  std::array<char, kInlineText> inline_text_;
};

}  // namespace kong::http

#endif  // KONG_HTTP_HEADER_EDITS_H_
