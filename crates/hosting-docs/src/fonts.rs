//! The embedded typeface, DejaVu Sans (Bitstream Vera licence with DejaVu changes in the public
//! domain: `assets/fonts/LICENSE-DejaVu.txt`). It covers Latin, Greek and Cyrillic and signs such
//! as € and Œ, so that any school's name prints as typed; krilla embeds only the glyphs used.

use krilla::text::Font;

use crate::DocError;

static REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// The two weights the documents use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One weight: krilla's font to draw with, and the same file for rustybuzz to measure with
/// (krilla shapes with rustybuzz too, so the widths measured are the widths drawn).
struct Face {
    pdf: Font,
    shaping: rustybuzz::Face<'static>,
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Face, DocError> {
        let pdf = Font::new(data.into(), 0).ok_or(DocError::Font(name))?;
        let shaping = rustybuzz::Face::from_slice(data, 0).ok_or(DocError::Font(name))?;
        Ok(Face { pdf, shaping })
    }
}

/// The faces of one document.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, DocError> {
        Ok(Fonts {
            regular: Face::load(REGULAR, "DejaVu Sans")?,
            bold: Face::load(BOLD, "DejaVu Sans Bold")?,
        })
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// krilla's font for `weight` (cloning it is cheap).
    pub(crate) fn pdf(&self, weight: Weight) -> Font {
        self.face(weight).pdf.clone()
    }

    /// The width of `text` set in `weight` at `size` points, kerning included.
    pub(crate) fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let face = &self.face(weight).shaping;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i64 = shaped
            .glyph_positions()
            .iter()
            .map(|position| i64::from(position.x_advance))
            .sum();
        units as f32 / face.units_per_em() as f32 * size
    }
}
