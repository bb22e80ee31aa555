//! Colour conversion between the display list's sRGB colours and the space blending happens in.

use crate::scene::display::Color;

/// Converts one sRGB-encoded component to linear light.
pub(crate) fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Clamps a component to 0..=1, mapping NaN to 0 so a bad colour draws as transparent black
/// instead of poisoning the blend.
fn sane(c: f32) -> f32 {
    if c.is_nan() { 0.0 } else { c.clamp(0.0, 1.0) }
}

/// A straight-alpha colour in the space the target blends in: linear light for an sRGB target
/// (the hardware encodes on write), unchanged sRGB values for a plain UNORM target.
pub(crate) fn to_target(color: Color, srgb_target: bool) -> [f32; 4] {
    let [r, g, b, a] = [sane(color.r), sane(color.g), sane(color.b), sane(color.a)];
    if srgb_target {
        [srgb_to_linear(r), srgb_to_linear(g), srgb_to_linear(b), a]
    } else {
        [r, g, b, a]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(srgb_to_linear(0.0), 0.0);
        assert!((srgb_to_linear(1.0) - 1.0).abs() < 1e-6);
        // sRGB 50% grey is about 21.4% linear light.
        assert!((srgb_to_linear(0.5) - 0.214).abs() < 1e-3);
        let nan = Color {
            r: f32::NAN,
            g: 2.0,
            b: -1.0,
            a: 0.5,
        };
        assert_eq!(to_target(nan, false), [0.0, 1.0, 0.0, 0.5]);
    }
}
