// multipart/form-data bodies (RFC 7578), the only encoding Mailgun's send
// endpoints take for every request shape. Kept in the
// Mailgun folder: no other provider posts forms.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::providers::mailgun {

class MultipartForm {
 public:
  // Text field; the value goes as raw UTF-8, as browsers and curl send it.
  void add_field(std::string_view name, std::string_view value);
  // File part with its own Content-Type; content is sent as is (binary).
  // `content` is not copied (a file may be a whole 25 MB message, already
  // held by its OutboundMessage): it must stay alive until encode().
  void add_file(std::string_view name, std::string_view filename, std::string_view content_type,
                std::string_view content);

  struct Encoded {
    std::string content_type;  // "multipart/form-data; boundary=..."
    std::string body;
  };
  // Picks a boundary from `seed` that occurs in no part (RFC 2046 §5.1.1),
  // so the same parts give the same bytes.
  Encoded encode(std::string_view seed) const;

 private:
  struct Part {
    std::string name;
    std::string filename;  // empty for a text field
    std::string content_type;
    std::string value;      // a field's, owned
    std::string_view file;  // a file's, borrowed
    bool is_file = false;
    std::string_view content() const { return is_file ? file : std::string_view(value); }
  };
  std::vector<Part> parts_;
};

}  // namespace postern::providers::mailgun
