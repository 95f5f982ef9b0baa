#include "providers/mailgun/multipart_form.h"

#include <algorithm>

namespace postern::providers::mailgun {

namespace {

// RFC 7578 §2: in quoted parameter values, '"', CR and LF are
// percent-encoded; other bytes (UTF-8 included) go as they are.
std::string quote_parameter(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"')
      out += "%22";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out + "\"";
}

}  // namespace

void MultipartForm::add_field(std::string_view name, std::string_view value) {
  parts_.push_back({std::string(name), "", "", std::string(value), {}, false});
}

void MultipartForm::add_file(std::string_view name, std::string_view filename,
                             std::string_view content_type, std::string_view content) {
  std::string type(content_type);
  std::erase_if(type, [](char c) { return c == '\r' || c == '\n'; });  // one header line, always
  parts_.push_back({std::string(name), std::string(filename), std::move(type), "", content, true});
}

MultipartForm::Encoded MultipartForm::encode(std::string_view seed) const {
  std::string base = "postern-" + std::string(seed.substr(0, 50));
  std::string boundary = base;
  for (int n = 1;
       std::any_of(parts_.begin(), parts_.end(),
                   [&](const Part& p) { return p.content().find(boundary) != std::string::npos; });
       ++n) {
    boundary = base + "-" + std::to_string(n);
  }

  std::size_t size = 0;
  for (const auto& p : parts_) size += p.content().size() + 200;
  std::string body;
  body.reserve(size);
  for (const auto& p : parts_) {
    body += "--" + boundary + "\r\n";
    body += "Content-Disposition: form-data; name=" + quote_parameter(p.name);
    if (p.is_file) {
      body += "; filename=" + quote_parameter(p.filename) + "\r\n";
      body += "Content-Type: " +
              (p.content_type.empty() ? std::string("application/octet-stream") : p.content_type);
    }
    body += "\r\n\r\n";
    body += p.content();
    body += "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  return {"multipart/form-data; boundary=" + boundary, std::move(body)};
}

}  // namespace postern::providers::mailgun
