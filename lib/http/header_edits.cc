#include "http/header_edits.h"

#include <algorithm>
#include <cstring>

#include "http/encoding.h"

namespace kong::http {

void HeaderEdits::Set(std::string_view name, std::string_view value) {
  if (names_lengths_.MayHave(name.size())) TakeAway(name);
  Append(name, value, Kind::kSet);
}

void HeaderEdits::Add(std::string_view name, std::string_view value) {
  Append(name, value, Kind::kAdd);
}

void HeaderEdits::Remove(std::string_view name) {
  if (names_lengths_.MayHave(name.size())) TakeAway(name);
  if (!Replaces(name)) Append(name, {}, Kind::kRemoved);
}

void HeaderEdits::TakeAway(std::string_view name) {
  for (size_t i = 0; i < count_; ++i) {
    Entry& e = entries_[i];
    if ((e.kind == Kind::kSet || e.kind == Kind::kAdd) && EqualsIgnoreCase(NameOf(e), name)) {
      e.kind = Kind::kGone;
    }
  }
}

bool HeaderEdits::ReplacesSlow(std::string_view name) const {
  for (size_t i = 0; i < count_; ++i) {
    const Entry& e = entries_[i];
    if ((e.kind == Kind::kSet || e.kind == Kind::kRemoved) && EqualsIgnoreCase(NameOf(e), name)) {
      return true;
    }
  }
  return false;
}

void HeaderEdits::Append(std::string_view name, std::string_view value, Kind kind) {
  const size_t need = text_size_ + name.size() + value.size();
  if (need > text_capacity_) {
    const size_t capacity = std::max(need, text_capacity_ * 2);
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    std::memcpy(grown.get(), text_, text_size_);
    heap_text_ = std::move(grown);
    text_ = heap_text_.get();
    text_capacity_ = capacity;
  }
  if (count_ == entry_capacity_) {
    auto grown = std::make_unique_for_overwrite<Entry[]>(entry_capacity_ * 2);
    std::copy(entries_, entries_ + count_, grown.get());
    heap_entries_ = std::move(grown);
    entries_ = heap_entries_.get();
    entry_capacity_ *= 2;
  }
  Entry& e = entries_[count_++];
  e.name_off = text_size_;
  e.name_size = name.size();
  WireWriter::Copy(text_ + text_size_, name.data(), name.size());
  text_size_ += name.size();
  e.value_off = text_size_;
  e.value_size = value.size();
  WireWriter::Copy(text_ + text_size_, value.data(), value.size());
  text_size_ += value.size();
  e.kind = kind;
  names_lengths_.Add(name.size());
  if (kind != Kind::kAdd) replaced_lengths_.Add(name.size());
}

void HeaderEdits::ApplyTo(HeaderMap* headers) const {
  if (count_ != 0) {
    headers->RemoveIf([this](const HeaderMap::Field& f) { return Replaces(f.first); });
  }
  for (size_t i = 0; i < count_; ++i) {
    const Entry& e = entries_[i];
    if (e.kind == Kind::kSet || e.kind == Kind::kAdd) headers->AddCopy(NameOf(e), ValueOf(e));
  }
}

void HeaderEdits::EmitTo(FieldSink& sink) const {
  for (size_t i = 0; i < count_; ++i) {
    const Entry& e = entries_[i];
    if (e.kind == Kind::kSet || e.kind == Kind::kAdd) sink.Add(NameOf(e), ValueOf(e));
  }
}

}  // namespace kong::http
