// Error bodies and messages of kong/db/errors.lua, and a port of pl.pretty.write.
#include "schema/errors.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "schema/engine.h"

namespace kong::schema {
namespace {

using internal::LuaToString;

bool IsLuaIdentifier(const std::string& k) {
  static const char* kKeywords[] = {"and", "break", "do", "else", "elseif", "end", "false",
                                    "for", "function", "goto", "if", "in", "local", "nil", "not",
                                    "or", "repeat", "return", "then", "true", "until", "while"};
  if (k.empty() || !(std::isalpha(static_cast<unsigned char>(k[0])) || k[0] == '_')) return false;
  for (char c : k) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  for (const char* kw : kKeywords) {
    if (k == kw) return false;
  }
  return true;
}

std::string LuaQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Scalar(const json::Value& v) {
  return v.is_string() ? LuaQuote(v.as_string()) : LuaToString(v);
}

// pl.pretty.write's line-buffer algorithm, kept literally so commas and indents match.
class PrettyWriter {
 public:
  explicit PrettyWriter(std::string_view space)
      : space_(space), set_(space.empty() ? "=" : " = ") {}

  std::string Run(const json::Value& v) {
    if (!v.is_array() && !v.is_object()) return Scalar(v);
    Write(v, "", space_);
    EatLastComma();
    std::string out;
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (i > 0 && !space_.empty()) out += '\n';
      out += lines_[i];
    }
    return out;
  }

 private:
  void Put(const std::string& s) { line_ += s; }
  void PutLn(const std::string& s) {
    if (!line_.empty()) {
      line_ += s;
      lines_.push_back(line_);
      line_.clear();
    } else {
      lines_.push_back(s);
    }
  }
  void EatLastComma() {
    if (!lines_.empty() && !lines_.back().empty() && lines_.back().back() == ',') {
      lines_.back().pop_back();
    }
  }

  void Write(const json::Value& t, const std::string& old_indent, const std::string& indent) {
    if (!t.is_array() && !t.is_object()) {
      PutLn(Scalar(t) + ",");
      return;
    }
    std::string new_indent = indent + space_;
    PutLn("{");
    if (t.is_array()) {
      const json::Array& a = t.as_array();
      size_t i = 0;
      for (; i < a.size() && !a[i].is_null(); ++i) {  // ipairs stops at the first hole
        Put(indent);
        Write(a[i], indent, new_indent);
      }
      for (; i < a.size(); ++i) {
        if (a[i].is_null()) continue;
        Put(indent + "[" + std::to_string(i + 1) + "]" + set_);
        Write(a[i], indent, new_indent);
      }
    } else {
      std::vector<const json::Member*> members;
      for (const json::Member& m : t.as_object()) members.push_back(&m);
      std::sort(members.begin(), members.end(),
                [](const json::Member* a, const json::Member* b) { return a->first < b->first; });
      for (const json::Member* m : members) {
        std::string key = IsLuaIdentifier(m->first) ? m->first : "[" + LuaQuote(m->first) + "]";
        Put(indent + key + set_);
        Write(m->second, indent, new_indent);
      }
    }
    EatLastComma();
    PutLn(old_indent + "},");
  }

  std::string space_;
  std::string set_;
  std::vector<std::string> lines_;
  std::string line_;
};

json::Value Body(ErrorCode code, std::string message) {
  json::Value body = json::Value::EmptyObject();
  body.Set("code", static_cast<int>(code));
  body.Set("name", ErrorName(code));
  body.Set("message", std::move(message));
  return body;
}

// Keys of an error table in Lua's sorted order: 1-based indices of a sparse array, or names.
std::vector<std::pair<std::string, const json::Value*>> SortedEntries(const json::Value& t) {
  std::vector<std::pair<std::string, const json::Value*>> out;
  if (t.is_array()) {
    const json::Array& a = t.as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_null()) out.emplace_back(std::to_string(i + 1), &a[i]);
    }
    return out;
  }
  for (const json::Member& m : t.as_object()) out.emplace_back(m.first, &m.second);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// The "<a>; <b>" list shared by schema violations and invalid options.
std::vector<std::string> FlattenErrors(const json::Value& fields, bool entity_first) {
  std::vector<std::string> buf;
  if (entity_first) {
    if (const json::Value* e = fields.Find("@entity"); e != nullptr && e->is_array()) {
      for (const json::Value& msg : e->as_array()) buf.push_back(LuaToString(msg));
    }
  }
  for (const auto& [name, value] : SortedEntries(fields)) {
    if (entity_first && name == "@entity") continue;
    if (value->is_array() || value->is_object()) {
      for (const auto& [sub, sv] : SortedEntries(*value)) {
        std::string text = sv->is_array() || sv->is_object() ? LuaPretty(*sv) : LuaToString(*sv);
        buf.push_back(name + "." + sub + ": " + text);
      }
    } else {
      buf.push_back(name + ": " + LuaToString(*value));
    }
  }
  return buf;
}

std::string Summary(const std::vector<std::string>& buf, const std::string& one,
                    const std::string& many) {
  if (buf.size() == 1) return one + " (" + buf[0] + ")";
  std::string joined;
  for (size_t i = 0; i < buf.size(); ++i) joined += (i > 0 ? "; " : "") + buf[i];
  return std::to_string(buf.size()) + " " + many + " (" + joined + ")";
}

json::Value WithFields(json::Value body, const char* key, const json::Value& fields) {
  body.Set(key, fields);
  return body;
}

}  // namespace

const char* ErrorName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidPrimaryKey: return "invalid primary key";
    case ErrorCode::kSchemaViolation: return "schema violation";
    case ErrorCode::kPrimaryKeyViolation: return "primary key violation";
    case ErrorCode::kForeignKeyViolation: return "foreign key violation";
    case ErrorCode::kUniqueViolation: return "unique constraint violation";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kInvalidOffset: return "invalid offset";
    case ErrorCode::kDatabaseError: return "database error";
    case ErrorCode::kInvalidSize: return "invalid size";
    case ErrorCode::kInvalidUnique: return "invalid unique %s";
    case ErrorCode::kInvalidOptions: return "invalid options";
    case ErrorCode::kOperationUnsupported: return "operation unsupported";
    case ErrorCode::kForeignKeysUnresolved: return "foreign keys unresolved";
    case ErrorCode::kDeclarativeConfig: return "invalid declarative configuration";
    case ErrorCode::kTransformationError: return "transformation error";
    case ErrorCode::kInvalidForeignKey: return "invalid foreign key";
    case ErrorCode::kReferencedByOthers: return "referenced by others";
  }
  return "database error";
}

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUniqueViolation: return 409;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kOperationUnsupported: return 405;
    case ErrorCode::kDatabaseError: return 500;
    default: return 400;
  }
}

std::string LuaPretty(const json::Value& value, std::string_view indent) {
  return PrettyWriter(indent).Run(value);
}

std::string SchemaViolationMessage(const json::Value& fields) {
  return Summary(FlattenErrors(fields, true), "schema violation", "schema violations");
}

json::Value SchemaViolationBody(const json::Value& fields) {
  return WithFields(Body(ErrorCode::kSchemaViolation, SchemaViolationMessage(fields)), "fields",
                    fields);
}

json::Value UniqueViolationBody(const json::Value& unique_key) {
  return WithFields(Body(ErrorCode::kUniqueViolation,
                         "UNIQUE violation detected on '" + LuaPretty(unique_key, "") + "'"),
                    "fields", unique_key);
}

json::Value ForeignKeyInvalidReferenceBody(const json::Value& foreign_key,
                                           std::string_view field_name,
                                           std::string_view parent_name) {
  json::Value fields = json::Value::EmptyObject();
  fields.Set(field_name, foreign_key);
  std::string msg = "the foreign key '" + LuaPretty(foreign_key, "") +
                    "' does not reference an existing '" + std::string(parent_name) + "' entity.";
  return WithFields(Body(ErrorCode::kForeignKeyViolation, msg), "fields", fields);
}

json::Value ForeignKeyRestrictedBody(std::string_view parent_name, std::string_view child_name) {
  json::Value fields = json::Value::EmptyObject();
  fields.Set("@referenced_by", child_name);
  std::string msg = "an existing '" + std::string(child_name) + "' entity references this '" +
                    std::string(parent_name) + "' entity";
  return WithFields(Body(ErrorCode::kForeignKeyViolation, msg), "fields", fields);
}

json::Value ForeignKeyUnresolvedBody(std::string_view field_name, std::string_view key_name,
                                     const json::Value& key_value, std::string_view parent_name) {
  json::Value key = json::Value::EmptyObject();
  key.Set(key_name, key_value);
  std::string text = "the foreign key cannot be resolved with '" + LuaPretty(key, "") +
                     "' for an existing '" + std::string(parent_name) + "' entity";
  json::Value inner = json::Value::EmptyObject();
  inner.Set(key_name, text);
  json::Value fields = json::Value::EmptyObject();
  fields.Set(field_name, std::move(inner));
  std::string msg = "foreign key unresolved (" + std::string(field_name) + "." +
                    std::string(key_name) + ": " + text + ")";
  return WithFields(Body(ErrorCode::kForeignKeysUnresolved, msg), "fields", fields);
}

json::Value NotFoundBody(const json::Value& primary_key) {
  return WithFields(Body(ErrorCode::kNotFound, "could not find the entity with primary key '" +
                                                   LuaPretty(primary_key, "") + "'"),
                    "fields", primary_key);
}

json::Value NotFoundByFieldBody(const json::Value& filter) {
  return WithFields(
      Body(ErrorCode::kNotFound, "could not find the entity with '" + LuaPretty(filter, "") + "'"),
      "fields", filter);
}

json::Value PrimaryKeyViolationBody(const json::Value& primary_key) {
  return WithFields(Body(ErrorCode::kPrimaryKeyViolation,
                         "primary key violation on key '" + LuaPretty(primary_key, "") + "'"),
                    "fields", primary_key);
}

json::Value InvalidPrimaryKeyBody(const json::Value& primary_key) {
  return WithFields(Body(ErrorCode::kInvalidPrimaryKey,
                         "invalid primary key: '" + LuaPretty(primary_key, "") + "'"),
                    "fields", primary_key);
}

json::Value InvalidOffsetBody(std::string_view offset, std::string_view err) {
  return Body(ErrorCode::kInvalidOffset,
              "'" + std::string(offset) + "' is not a valid offset: " + std::string(err));
}

json::Value InvalidSizeBody(std::string_view err) {
  return Body(ErrorCode::kInvalidSize, std::string(err));
}

json::Value InvalidUniqueBody(std::string_view name, std::string_view err) {
  json::Value body = Body(ErrorCode::kInvalidUnique, std::string(err));
  body.Set("name", internal::FormatOne(ErrorName(ErrorCode::kInvalidUnique), name));
  return body;
}

json::Value InvalidOptionsBody(const json::Value& options) {
  std::string msg = Summary(FlattenErrors(options, false), "invalid option", "option violations");
  return WithFields(Body(ErrorCode::kInvalidOptions, msg), "options", options);
}

json::Value OperationUnsupportedBody(std::string_view err) {
  return Body(ErrorCode::kOperationUnsupported, std::string(err));
}

json::Value DeclarativeConfigBody(const json::Value& fields) {
  return WithFields(Body(ErrorCode::kDeclarativeConfig,
                         "declarative config is invalid: " + LuaPretty(fields, "")),
                    "fields", fields);
}

json::Value ReferencedByOthersBody(std::string_view message) {
  return Body(ErrorCode::kReferencedByOthers, std::string(message));
}

json::Value MessageBody(std::string_view message) {
  json::Value body = json::Value::EmptyObject();
  body.Set("message", message);
  return body;
}

}  // namespace kong::schema
