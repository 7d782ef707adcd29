#![allow(clippy::unwrap_used)]

use crate::fonts::Fonts;
use crate::layout::{MARGIN, Mark, PAGE_HEIGHT, PAGE_WIDTH};
use crate::{Proforma, Sheet, proforma_pdf, sheet_pdf};

/// The text of each page, as a PDF reader extracts it.
fn pages_text(pdf: &[u8]) -> Vec<String> {
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let count = document.get_pages().len() as u32;
    (1..=count)
        .map(|page| document.extract_text(&[page]).unwrap())
        .collect()
}

fn sheet() -> Sheet {
    Sheet {
        title: "Connexion à la console".to_string(),
        lines: vec![
            ("Établissement".to_string(), "Lycée Émile-Zola".to_string()),
            (
                "Numéro d'hébergement".to_string(),
                "123456789012".to_string(),
            ),
            ("Ville".to_string(), "Łódź".to_string()),
            ("Association".to_string(), "Œuvre des écoles".to_string()),
            ("Tarif".to_string(), "1 250,00 €".to_string()),
            ("Identifiant".to_string(), "superadmin.zola".to_string()),
        ],
    }
}

fn proforma(lines: usize) -> Proforma {
    Proforma {
        title: "Facture pro forma".to_string(),
        provider: "Hébergeur Scolaire SAS".to_string(),
        header: vec![
            ("Numéro".to_string(), "PF-2027-0042".to_string()),
            ("Date".to_string(), "15/06/2027".to_string()),
            ("Établissement".to_string(), "Lycée Émile-Zola".to_string()),
            (
                "Numéro d'hébergement".to_string(),
                "123456789012".to_string(),
            ),
            ("Période".to_string(), "01/09/2027 – 31/08/2028".to_string()),
        ],
        columns: [
            "Prestation".to_string(),
            "Quantité".to_string(),
            "Prix unitaire".to_string(),
            "Montant".to_string(),
        ],
        lines: (1..=lines)
            .map(|n| {
                [
                    format!("Hébergement de l'emploi du temps, poste {n}"),
                    "1".to_string(),
                    "1 250,00 €".to_string(),
                    format!("{n},00 €"),
                ]
            })
            .collect(),
        totals: vec![
            ("Total HT".to_string(), "1 250,00 €".to_string()),
            ("TVA 20 %".to_string(), "250,00 €".to_string()),
            ("Total TTC".to_string(), "1 500,00 €".to_string()),
        ],
        note: "Facture pro forma, à transmettre au service financier.".to_string(),
    }
}

/// Every text mark, with its right edge.
fn texts(pages: &[Vec<Mark>], fonts: &Fonts) -> Vec<(usize, f32, f32, f32, String)> {
    pages
        .iter()
        .enumerate()
        .flat_map(|(page, marks)| {
            marks.iter().filter_map(move |mark| match mark {
                Mark::Text { x, y, style, text } => Some((
                    page,
                    *x,
                    *x + fonts.width(text, style.weight, style.size),
                    *y,
                    text.clone(),
                )),
                Mark::Rule { .. } => None,
            })
        })
        .collect()
}

/// Every text mark lies between the margins.
fn assert_inside_margins(pages: &[Vec<Mark>], fonts: &Fonts) {
    for (page, left, right, y, text) in texts(pages, fonts) {
        assert!(
            left >= MARGIN - 0.01,
            "page {page}: {text:?} starts at {left}"
        );
        assert!(
            right <= PAGE_WIDTH - MARGIN + 0.01,
            "page {page}: {text:?} ends at {right}"
        );
        assert!(y <= PAGE_HEIGHT - MARGIN, "page {page}: {text:?} at {y}");
    }
}

#[test]
fn sheet_text_is_extractable_beyond_latin1() {
    let pdf = sheet_pdf(&sheet()).unwrap();
    println!("connection sheet: {} bytes", pdf.len());
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pages_text(&pdf);
    assert_eq!(pages.len(), 1);
    for expected in [
        "Connexion à la console",
        "Lycée Émile-Zola",
        "Numéro d'hébergement",
        "123456789012",
        "Łódź",
        "Œuvre des écoles",
        "1 250,00 €",
        "superadmin.zola",
    ] {
        assert!(
            pages[0].contains(expected),
            "{expected:?} in {:?}",
            pages[0]
        );
    }
    // The font is subset: a few glyphs, not DejaVu's 760 KB.
    assert!(pdf.len() < 40_000, "{} bytes", pdf.len());
}

#[test]
fn the_metadata_title_is_the_documents_title() {
    let pdf = sheet_pdf(&sheet()).unwrap();
    let document = lopdf::Document::load_mem(&pdf).unwrap();
    let info = document
        .trailer
        .get(b"Info")
        .unwrap()
        .as_reference()
        .unwrap();
    let title = document
        .get_dictionary(info)
        .unwrap()
        .get(b"Title")
        .unwrap();
    assert_eq!(
        lopdf::decode_text_string(title).unwrap(),
        "Connexion à la console"
    );
}

#[test]
fn proforma_text_is_extractable() {
    let pdf = proforma_pdf(&proforma(3)).unwrap();
    println!("pro-forma, 3 lines: {} bytes", pdf.len());
    let pages = pages_text(&pdf);
    assert_eq!(pages.len(), 1);
    for expected in [
        "Hébergeur Scolaire SAS",
        "Facture pro forma",
        "PF-2027-0042",
        "123456789012",
        "01/09/2027 – 31/08/2028",
        "Lycée Émile-Zola",
        "Prix unitaire",
        "3,00 €",
        "Total TTC",
        "1 500,00 €",
        "service financier",
    ] {
        assert!(
            pages[0].contains(expected),
            "{expected:?} in {:?}",
            pages[0]
        );
    }
    assert!(pdf.len() < 50_000, "{} bytes", pdf.len());
}

#[test]
fn many_lines_continue_on_new_pages_under_repeated_column_titles() {
    let pdf = proforma_pdf(&proforma(120)).unwrap();
    println!("pro-forma, 120 lines: {} bytes", pdf.len());
    let pages = pages_text(&pdf);
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let all = pages.concat();
    for n in [1, 60, 120] {
        assert!(all.contains(&format!("poste {n}")), "line {n}");
    }
    for (index, page) in pages.iter().enumerate() {
        assert!(
            page.contains("Prix unitaire"),
            "titles on page {}",
            index + 1
        );
        assert!(page.contains(&format!("{}/{}", index + 1, pages.len())));
    }
    let last = pages.last().unwrap();
    assert!(last.contains("Total TTC") && last.contains("service financier"));
    assert!(pdf.len() < 80_000, "{} bytes", pdf.len());

    let fonts = Fonts::load().unwrap();
    assert_inside_margins(&crate::proforma::layout(&proforma(120), &fonts), &fonts);
}

#[test]
fn amounts_are_right_aligned() {
    let fonts = Fonts::load().unwrap();
    let pages = crate::proforma::layout(&proforma(12), &fonts);
    let right_edges: Vec<f32> = texts(&pages, &fonts)
        .into_iter()
        .filter(|(.., text)| text.ends_with(",00 €") && !text.starts_with("1 250"))
        .map(|(_, _, right, ..)| right)
        .collect();
    // 12 amounts and 2 totals (1 250,00 € is left out: it is also the unit price).
    assert_eq!(right_edges.len(), 14);
    for right in &right_edges {
        assert!((right - right_edges[0]).abs() < 0.01, "{right_edges:?}");
    }
}

#[test]
fn long_values_wrap_inside_the_margins() {
    let fonts = Fonts::load().unwrap();
    let school = format!(
        "Lycée polyvalent régional {}",
        "Émile-Zola et Marie-Curie des métiers du bâtiment ".repeat(4)
    );
    let school = school.trim().to_string();
    assert!(school.chars().count() >= 200);
    let address = format!("https://{}.example.fr/", "console".repeat(20));
    let mut long = sheet();
    long.lines
        .push(("Établissement".to_string(), school.clone()));
    long.lines.push(("Adresse".to_string(), address.clone()));
    long.lines
        .push(("É".repeat(80), "a label as long as a value".to_string()));
    let pages = crate::sheet::layout(&long, &fonts);
    assert_inside_margins(&pages, &fonts);
    // Every character is there, only cut into lines (at spaces, or inside the address).
    let squeezed: String = texts(&pages, &fonts)
        .into_iter()
        .flat_map(|(.., text)| {
            text.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(squeezed.contains(&school.replace(' ', "")));
    assert!(squeezed.contains(&address));
    let lines = texts(&pages, &fonts).len();
    assert!(
        lines > 2 * long.lines.len(),
        "{lines} lines: the long values wrapped"
    );

    let mut invoice = proforma(2);
    invoice.header[2].1 = school;
    invoice.lines[0][0] = address;
    assert_inside_margins(&crate::proforma::layout(&invoice, &fonts), &fonts);
    proforma_pdf(&invoice).unwrap();
}

#[test]
fn empty_documents_are_still_documents() {
    let pdf = sheet_pdf(&Sheet::default()).unwrap();
    assert_eq!(pages_text(&pdf).len(), 1);
    let pdf = proforma_pdf(&Proforma::default()).unwrap();
    assert_eq!(pages_text(&pdf).len(), 1);
}
