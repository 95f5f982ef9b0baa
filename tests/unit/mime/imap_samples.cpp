#include "imap_samples.h"

#include <cstdlib>

namespace postern::mime::test {
namespace {

std::vector<Sample> make() {
  std::vector<Sample> s;
  s.push_back({"plain",
               "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
               "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n"
               "Subject: afternoon meeting\r\n"
               "To: mooch@owatagu.siam.edu\r\n"
               "Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
               "\r\n"
               "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"});
  s.push_back({"plain_upper_case_7bit",
               "From: a@example.com\r\n"
               "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
               "Content-Transfer-Encoding: 7BIT\r\n"
               "\r\n"
               "x\r\n"});
  s.push_back({"plain_with_content_id",
               "From: a@example.com\r\n"
               "Content-Type: text/plain; charset=us-ascii\r\n"
               "Content-ID: <c@example.com>\r\n"
               "\r\n"
               "x\r\n"});
  s.push_back({"alternative",
               "From: \"Alice Example\" <alice@example.com>\r\n"
               "To: bob@example.org, \"Carol, C.\" <carol@example.net>\r\n"
               "Cc: dave@example.com\r\n"
               "Subject: Lunch?\r\n"
               "Date: Tue, 1 Dec 2026 10:00:00 +0000\r\n"
               "Message-ID: <alt-1@example.com>\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
               "\r\n"
               "This is a multi-part message in MIME format.\r\n"
               "--b1\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n"
               "\r\n"
               "Caf=C3=A9 at noon?\r\n"
               "--b1\r\n"
               "Content-Type: text/html; charset=utf-8\r\n"
               "\r\n"
               "<p>Caf\xC3\xA9 at <b>noon</b>?</p>\r\n"
               "<p>Reply soon</p>\r\n"
               "--b1--\r\n"});
  s.push_back({"mixed",
               "From: reports@example.com\r\n"
               "To: team@example.com\r\n"
               "Subject: Weekly report\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=outer\r\n"
               "\r\n"
               "--outer\r\n"
               "Content-Type: multipart/alternative; boundary=inner\r\n"
               "\r\n"
               "--inner\r\n"
               "Content-Type: text/plain\r\n"
               "\r\n"
               "See attached.\r\n"
               "--inner\r\n"
               "Content-Type: text/html\r\n"
               "\r\n"
               "<html><body><p>See <i>attached</i>.</p><script>x()</script></body></html>\r\n"
               "--inner--\r\n"
               "--outer\r\n"
               "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
               "Content-Description: The report\r\n"
               "Content-ID: <r1@example.com>\r\n"
               "Content-Language: en, fr\r\n"
               "Content-Location: http://example.com/report.pdf\r\n"
               "\r\n"
               "JVBERi0xLjcK\r\n"
               "--outer\r\n"
               "Content-Type: image/png\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               "Content-Disposition: inline\r\n"
               "\r\n"
               "iVBORw0KGgo=\r\n"
               "--outer--\r\n"
               "epilogue\r\n"});
  s.push_back({"nested_message",
               "From: forwarder@example.com\r\n"
               "To: you@example.com\r\n"
               "Subject: Fwd: original\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=\"fw\"\r\n"
               "\r\n"
               "--fw\r\n"
               "Content-Type: text/plain; charset=us-ascii\r\n"
               "\r\n"
               "Forwarding this.\r\n"
               "--fw\r\n"
               "Content-Type: message/rfc822\r\n"
               "Content-Disposition: attachment\r\n"
               "\r\n"
               "From: Original Sender <orig@example.org>\r\n"
               "To: forwarder@example.com\r\n"
               "Subject: original\r\n"
               "Date: Sun, 29 Nov 2026 08:00:00 +0100\r\n"
               "Message-ID: <orig@example.org>\r\n"
               "Content-Type: multipart/mixed; boundary=\"in\"\r\n"
               "\r\n"
               "--in\r\n"
               "\r\n"
               "Inner text, default type.\r\n"
               "--in\r\n"
               "Content-Type: text/csv; name=data.csv\r\n"
               "Content-Disposition: attachment; filename=data.csv\r\n"
               "\r\n"
               "a,b\r\n"
               "1,2\r\n"
               "--in--\r\n"
               "\r\n"
               "--fw--\r\n"});
  s.push_back({"single_message_part",
               "From: a@example.com\r\n"
               "Subject: bounce\r\n"
               "Content-Type: message/rfc822\r\n"
               "\r\n"
               "From: b@example.com\r\n"
               "Subject: inner plain\r\n"
               "\r\n"
               "inner body\r\n"});
  s.push_back({"groups",
               "From: Team Lead <lead@example.com>\r\n"
               "Sender: robot@example.com\r\n"
               "Reply-To: \r\n"
               "To: undisclosed-recipients:;\r\n"
               "Cc: Friends: joe@example.com, \"Ann\" <ann@example.com>;, solo@example.net\r\n"
               "Bcc: hidden@example.com (Hidden Person)\r\n"
               "Subject: groups\r\n"
               "\r\n"
               "body\r\n"});
  s.push_back({"missing_headers",
               "X-Mailer: nothing else\r\n"
               "\r\n"
               "no headers at all\r\n"});
  s.push_back({"empty_values",
               "From: someone@example.com\r\n"
               "Subject:\r\n"
               "Date: \r\n"
               "To:\r\n"
               "Message-ID:\r\n"
               "\r\n"
               "x\r\n"});
  s.push_back({"encoded_words",
               "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\r\n"
               "To: =?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>\r\n"
               "Subject: =?utf-8?B?Q2Fmw6kgw6AgbWlkaQ==?=\r\n"
               " =?utf-8?Q?_et_apr=C3=A8s?=\r\n"
               "Content-Type: text/plain; charset=\"utf-8\"; format=flowed\r\n"
               "Content-Transfer-Encoding: 8bit\r\n"
               "\r\n"
               "Caf\xC3\xA9\r\n"});
  s.push_back({"eight_bit_headers",
               "From: J\xC3\xBCrgen M\xC3\xBCller <juergen@example.de>\r\n"
               "To: \"Ren\xC3\xA9\" <rene@example.fr>\r\n"
               "Subject: Gr\xC3\xBC\xC3\x9F"
               "e aus K\xC3\xB6ln\r\n"
               "\r\n"
               "Hallo\r\n"});
  s.push_back({"quotes_and_escapes",
               "From: \"Joe \\\"The Boss\\\" Smith\" <joe@example.com>\r\n"
               "To: \"back\\\\slash\" <b@example.com>\r\n"
               "Subject: a \"quoted\" \\ subject\r\n"
               "\r\n"
               "x\r\n"});
  s.push_back({"long_subject",
               "From: a@example.com\r\n"
               "Subject: " +
                   std::string(1500, 'x') +
                   "\r\n"
                   "\r\n"
                   "x\r\n"});
  s.push_back({"no_body",
               "From: a@example.com\r\n"
               "Subject: only a header\r\n"});
  s.push_back({"empty_body",
               "From: a@example.com\r\n"
               "Subject: empty body\r\n"
               "\r\n"});
  s.push_back({"no_final_newline",
               "From: a@example.com\r\n"
               "\r\n"
               "line one\r\n"
               "line two"});
  s.push_back({"folded_headers",
               "From: a@example.com\r\n"
               "Subject: a folded\r\n"
               "\tsubject line\r\n"
               "In-Reply-To: <x@example.com>\r\n"
               " <y@example.com>\r\n"
               "Message-ID:   <spaces@example.com>  \r\n"
               "\r\n"
               "x\r\n"});
  s.push_back({"digest",
               "From: list@example.com\r\n"
               "Subject: digest\r\n"
               "Content-Type: multipart/digest; boundary=d\r\n"
               "\r\n"
               "--d\r\n"
               "\r\n"
               "From: one@example.com\r\n"
               "Subject: first\r\n"
               "\r\n"
               "first body\r\n"
               "--d\r\n"
               "Content-Type: text/plain\r\n"
               "\r\n"
               "not a message\r\n"
               "--d--\r\n"});
  s.push_back({"multipart_without_parts",
               "From: a@example.com\r\n"
               "Content-Type: multipart/mixed; boundary=nothere\r\n"
               "\r\n"
               "no delimiter in here\r\n"});
  s.push_back({"unclosed_multipart",
               "From: a@example.com\r\n"
               "Content-Type: multipart/mixed; boundary=\"x\"\r\n"
               "\r\n"
               "--x\r\n"
               "Content-Type: text/plain\r\n"
               "\r\n"
               "cut short\r\n"});
  s.push_back({"rfc2231_and_routes",
               "From: \"Q, X\" <@r1.example,@r2.example:x@y.example>\r\n"
               "To: bare, a@b.example (Com ment)\r\n"
               "Content-Type: application/octet-stream;\r\n"
               " name*=UTF-8''na%C3%AFve.bin\r\n"
               "Content-Disposition: attachment;\r\n"
               " filename*0=\"long\"; filename*1=\"name.bin\"\r\n"
               "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
               "\r\n"
               "abc"});
  s.push_back({"repeated_fields",
               "From: a@example.com\r\n"
               "Subject: first\r\n"
               "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n"
               "Subject: second\r\n"
               "From: c@example.com\r\n"
               "Message-ID: <1@example.com>\r\n"
               "Message-ID: <2@example.com>\r\n"
               "To: x@example.com\r\n"
               "To: z@example.com\r\n"
               "Content-Type: text/html\r\n"
               "Content-Type: image/png\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               "Content-Transfer-Encoding: 8bit\r\n"
               "Content-ID: <i1@example.com>\r\n"
               "Content-ID: <i2@example.com>\r\n"
               "\r\n"
               "x\r\n"});
  s.push_back({"unreadable_mime_fields",
               "From: a@example.com\r\n"
               "Content-Type: multipart/mixed; boundary=z\r\n"
               "\r\n"
               "--z\r\n"
               "Content-Type: text\r\n"
               "Content-Transfer-Encoding: se ven\r\n"
               "\r\n"
               "one\r\n"
               "--z\r\n"
               "Content-Type: text/plain junk; charset=x\r\n"
               "Content-Disposition: ; x=y\r\n"
               "Content-Language: en;fr\r\n"
               "\r\n"
               "two\r\n"
               "--z\r\n"
               "Content-Type: text/plain; charset\r\n"
               "Content-Disposition: inline junk; x=y\r\n"
               "Content-Transfer-Encoding: 7bit junk\r\n"
               "\r\n"
               "three\r\n"
               "--z--\r\n"});
  s.push_back({"not_mime",
               "From: a@example.com\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               "Content-ID: <x@example.com>\r\n"
               "Content-Disposition: attachment\r\n"
               "\r\n"
               "x\r\n"});
  s.push_back({"mime_version_only",
               "From: a@example.com\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               "Content-ID: <x@example.com>\r\n"
               "\r\n"
               "eA==\r\n"});
  s.push_back({"loose_delimiters",
               "From: a@example.com\r\n"
               "Content-Type: multipart/mixed; boundary=z\r\n"
               "\r\n"
               "--z\r\n"
               "\r\n"
               "one\r\n"
               "--zoundary\r\n"
               "\r\n"
               "two\r\n"
               "--z  \r\n"
               "\r\n"
               "three\r\n"
               "--z--junk\r\n"
               "\r\n"
               "epilogue\r\n"});
  s.push_back({"nested_prefix_boundaries",
               "From: a@example.com\r\n"
               "Content-Type: multipart/mixed; boundary=b\r\n"
               "\r\n"
               "--b\r\n"
               "Content-Type: multipart/alternative; boundary=b1\r\n"
               "\r\n"
               "--b1\r\n"
               "\r\n"
               "inner one\r\n"
               "--b1\r\n"
               "Content-Type: message/rfc822\r\n"
               "\r\n"
               "Subject: cut by the outer boundary\r\n"
               "\r\n"
               "inner two\r\n"
               "--b\r\n"
               "Content-Type: text/plain\r\n"
               "\r\n"
               "outer two\r\n"
               "--b--\r\n"});
  s.push_back(
      {"address_forms",
       "From: <>\r\n"
       "To: \"john doe\"@example.com, \"Q\" <\"a b\"@[1.2.3.4]>, x@y.z (a (nested) comment),\r\n"
       " (pre) Name (mid) <n@m.o>, \"=?utf-8?q?x?=\" <e@f.g>\r\n"
       "Cc: Joe <joe@example.com> (work)\r\n"
       "Reply-To: MAILER-DAEMON@example.com (Mail Delivery System)\r\n"
       "\r\n"
       "x\r\n"});
  s.push_back({"attachment_parameters",
               "From: a@example.com\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=q\r\n"
               "\r\n"
               "--q\r\n"
               "Content-Type: application/pdf; name=\"r\xC3\xA9sum\xC3\xA9.pdf\"\r\n"
               "Content-Disposition: attachment;\r\n"
               " filename*0*=utf-8''r%C3%A9; filename*1*=sum%C3%A9; filename*2=\".pdf\"\r\n"
               "Content-Description: =?utf-8?q?caf=C3=A9?=\r\n"
               " folded\r\n"
               "\r\n"
               "x\r\n"
               "--q\r\n"
               "Content-Type: text/plain; charset=\"iso-8859-1\"; format=\"flowed\"; delsp=yes\r\n"
               "Content-Disposition: INLINE; filename=a.txt; size=3;\r\n"
               " creation-date=\"Mon, 7 Dec 2026 10:00:00 +0000\"\r\n"
               "\r\n"
               "x\r\n"
               "--q--\r\n"});
  s.push_back({"bare_lf",
               "From: lf@example.com\n"
               "Subject: bare LF\n"
               "Content-Type: multipart/mixed; boundary=z\n"
               "\n"
               "--z\n"
               "\n"
               "one\n"
               "--z\n"
               "Content-Type: text/html\n"
               "\n"
               "<b>two</b>\n"
               "--z--\n",
               false});
  return s;
}

}  // namespace

const std::vector<Sample>& imap_samples() {
  static const std::vector<Sample> samples = make();
  return samples;
}

const std::string& imap_sample(const std::string& name) {
  for (const auto& s : imap_samples()) {
    if (s.name == name) return s.raw;
  }
  std::abort();
}

}  // namespace postern::mime::test
