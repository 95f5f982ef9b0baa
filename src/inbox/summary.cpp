// The summary of a caught message, from the two views src/mime gives: the
// reading view (what a person sees) and the IMAP structure.
#include "inbox/summary.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/address.h"
#include "mime/html_text.h"
#include "mime/imap_structure.h"
#include "mime/reading_view.h"

namespace postern::inbox {
namespace {

// "Name <a@b>" or "a@b", comma-separated, as the mailbox list shows them.
// A field the reading view could not read as addresses is one entry with
// its text as the name and no address: the text is shown as it is.
std::string readable(const std::vector<Mailbox>& mailboxes) {
  std::string out;
  for (const auto& m : mailboxes) {
    if (!out.empty()) out += ", ";
    if (m.name.empty()) {
      out += m.address;
    } else if (m.address.empty()) {
      out += m.name;
    } else {
      out += m.name + " <" + m.address + ">";
    }
  }
  return out;
}

// The text body, a blank line, then the HTML body's text: both, for search,
// since either may say what the other leaves out.
std::string search_text(const mime::ReadingView& view) {
  std::string text = view.text;
  if (!view.html.empty()) {
    if (!text.empty()) text += "\n\n";
    text += mime::html_to_text(view.html);
  }
  return text;
}

}  // namespace

store::BlobSummary summarize(std::string_view raw) {
  mime::ReadingView view = mime::read_view(raw);
  mime::ImapStructure imap = mime::imap_structure(raw);
  store::BlobSummary out;
  out.from = readable(view.from);
  out.to = readable(view.to);
  out.cc = readable(view.cc);
  out.subject = std::move(view.subject);
  out.message_id = std::move(view.message_id);
  out.date = view.date;
  // Inline parts (images a HTML body shows) are part of the body, not
  // attachments a reader would look for.
  out.has_attachments = std::any_of(view.attachments.begin(), view.attachments.end(),
                                    [](const mime::ReadingAttachment& a) { return !a.is_inline; });
  out.text = search_text(view);
  out.envelope = std::move(imap.envelope);
  out.body_structure = std::move(imap.body_structure);
  out.body = std::move(imap.body);
  return out;
}

}  // namespace postern::inbox
