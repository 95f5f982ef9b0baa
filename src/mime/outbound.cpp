#include "mime/outbound.h"

#include "core/message_json.h"
#include "mime/mime.h"

namespace postern::mime {

std::string postern_message_id(std::string_view postern_id) {
  return std::string(postern_id) + "@postern";
}

Result<Message> read_stored(ContentFormat format, std::string_view content) {
  if (format == ContentFormat::json) {
    auto parsed = message_from_json(content, MessageLimits::unlimited());
    if (!parsed) return error_code(Errc::corrupt);
    return std::move(*parsed);
  }
  auto parsed = parse_message(content);
  if (!parsed) return error_code(Errc::corrupt);
  return parsed;
}

std::string render_built(const Message& message, std::string_view postern_id,
                         SystemTime created_at) {
  BuildOptions options{
      postern_message_id(postern_id), created_at, {{"X-Postern-Id", std::string(postern_id)}}};
  return build_message(message, options);
}

std::string render_raw(std::string_view raw, std::string_view postern_id) {
  std::string out = "X-Postern-Id: " + std::string(postern_id) + "\r\n";
  append_without_bcc(out, raw);
  return out;
}

Result<std::string> render_stored(ContentFormat format, std::string_view content,
                                  std::string_view postern_id, SystemTime created_at) {
  if (format == ContentFormat::mime) return render_raw(content, postern_id);
  auto message = read_stored(format, content);
  if (!message) return message.error();
  return render_built(*message, postern_id, created_at);
}

}  // namespace postern::mime
