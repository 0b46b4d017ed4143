//! The report's page: one self-contained HTML file (its style inline, no
//! script, nothing loaded from anywhere), made of sections of charts and
//! tables.

use std::fmt::Write;

/// Text as HTML (also inside attributes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A table: a header row and rows of cells, each already escaped or built
/// as HTML. Numeric columns are right-aligned by the page's style.
pub fn table(id: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut html = format!("<table id=\"{}\"><thead><tr>", escape(id));
    for cell in header {
        let _ = write!(html, "<th>{}</th>", escape(cell));
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{cell}</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// One part of the report, or the note that says why it is not there.
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    /// The data behind it: what it covers and when it was synced.
    pub provenance: Option<String>,
    pub body: Result<String, String>,
}

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: 0.3rem; }
h3 { font-size: 1rem; margin-top: 1.5rem; }
.meta, .provenance { color: #666; font-size: 0.9rem; }
.missing { color: #8a5a00; background: #fff6e0; padding: 0.5rem 0.8rem; border-radius: 4px; }
.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { padding: 0.25rem 0.8rem; border-bottom: 1px solid #eee; text-align: left; }
td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
nav a { margin-right: 1rem; }
";

/// The whole page.
pub fn page(title: &str, meta: &str, sections: &[Section]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\
         <h1>{title}</h1><p class=\"meta\">{meta}</p><nav>",
        title = escape(title),
        meta = escape(meta),
    );
    for section in sections {
        let _ = write!(
            html,
            "<a href=\"#{}\">{}</a>",
            section.id,
            escape(section.title)
        );
    }
    html.push_str("</nav>");
    for section in sections {
        let _ = write!(
            html,
            "<section id=\"{}\"><h2>{}</h2>",
            section.id,
            escape(section.title)
        );
        if let Some(provenance) = &section.provenance {
            let _ = write!(html, "<p class=\"provenance\">{}</p>", escape(provenance));
        }
        match &section.body {
            Ok(body) => html.push_str(body),
            Err(note) => {
                let _ = write!(html, "<p class=\"missing\">{}</p>", escape(note));
            }
        }
        html.push_str("</section>");
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere_it_lands() {
        assert_eq!(
            escape("<b>\"Tom\" & 'Jerry'</b>"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        let html = page(
            "<script>",
            "m",
            &[Section {
                id: "s",
                title: "T<",
                provenance: None,
                body: Err("no <data>".into()),
            }],
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("<p class=\"missing\">no &lt;data&gt;</p>"));
    }
}
