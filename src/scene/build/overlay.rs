//! What is drawn over every screen, the closed and the black one too, for the technician: the
//! fault marker (a small corner badge while something keeps the board from working as
//! installed) and the identify overlay (which display this is, shown after the start and on
//! demand).
//!
//! Both are a pure function of their inputs and the screen's size, like the rest of the scene;
//! the supervisor (src/deploy) decides when they are shown.

use crate::scene::display::*;

/// What goes over the board.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// The kinds of problem going on now (`unauthorized`, `dns`, ...), most important first.
    pub faults: Vec<String>,
    /// The identify card, while it is to be shown.
    pub identify: Option<Identity>,
}

/// Which board this is, in words a technician can match with the paperwork.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    pub display_id: String,
    pub host: String,
    /// The machine's addresses, IPv4 first.
    pub addresses: Vec<String>,
    /// `0.1.0 (3f2a9c1)`.
    pub version: String,
    /// The queue system's address without credentials or query; `None` when unset.
    pub server: Option<String>,
}

/// A short Polish name for a kind of problem, for the badge: plain enough for staff who call
/// the technician, calm enough not to worry residents.
pub fn fault_text(kind: &str) -> &'static str {
    match kind {
        "unauthorized" | "forbidden" | "policy_violation" => "odmowa dostępu",
        k if k.starts_with("token") => "brak tokenu",
        "tls" | "ca_file" => "certyfikat",
        "dns" => "nieznany adres serwera",
        "connection_refused" | "connect" | "connect_timeout" | "unreachable" => {
            "serwer nieosiągalny"
        }
        "no_server" | "bad_url" => "brak adresu serwera",
        "layout" => "plik układu",
        "monitor_not_found" => "monitor",
        "no_audio_device" => "brak dźwięku",
        "screen_frozen" => "obraz",
        _ => "ustawienia",
    }
}

/// Draws the overlay over `list` (a screen of `list.width` × `list.height`).
pub fn draw(list: &mut DisplayList, overlay: &Overlay) {
    let (w, h) = (list.width.max(1) as f32, list.height.max(1) as f32);
    let unit = w.min(h) / 100.0;
    if let Some(id) = &overlay.identify {
        identify(list, id, w, h, unit);
    }
    if let Some(first) = overlay.faults.first() {
        badge(list, first, overlay.faults.len(), h, unit);
    }
}

/// A discreet pill in the bottom-left corner: "Usterka: odmowa dostępu · unauthorized".
fn badge(list: &mut DisplayList, kind: &str, count: usize, h: f32, unit: f32) {
    let more = if count > 1 {
        format!("  +{}", count - 1)
    } else {
        String::new()
    };
    let text = format!("Usterka: {} · {kind}{more}", fault_text(kind));
    // Low in the corner, over the edge of the bottom line rather than its text.
    let bh = (3.0 * unit).round();
    // As wide as the text is likely to be (about half an em a character), so that the badge
    // covers no more of the board than it must; the text shrinks if the guess is short.
    let chars = text.chars().count() as f32;
    let bw = (bh * 1.6 + chars * 0.56 * 1.5 * unit)
        .min(60.0 * unit)
        .round();
    let margin = (0.5 * unit).round();
    let r = Rect::new(margin, h - margin - bh, bw, bh);
    list.push(Item::Rect(RectItem {
        rect: r,
        radius: bh / 2.0,
        fill: Color::rgb(0x1C, 0x1F, 0x24).with_alpha(0.88),
        border: Some((
            (0.15 * unit).max(1.0),
            Color::rgb(0xE8, 0xA3, 0x3D).with_alpha(0.9),
        )),
    }));
    // An amber dot: noticeable for whoever looks for it, not a red alarm for the hall.
    let dot = (1.0 * unit).round();
    list.rect(
        Rect::new(r.x + bh / 2.0 - dot / 2.0, r.y + (bh - dot) / 2.0, dot, dot),
        dot / 2.0,
        Color::rgb(0xE8, 0xA3, 0x3D),
    );
    let text_rect = Rect::new(r.x + bh, r.y, r.w - bh - bh / 2.5, r.h);
    list.text(
        TextItem::new(text, text_rect, 1.5 * unit, Color::rgb(0xEC, 0xEE, 0xF1))
            .shrink_to(1.1 * unit),
    );
}

/// A card naming this display, placed clear of the called number and the footer.
fn identify(list: &mut DisplayList, id: &Identity, w: f32, h: f32, unit: f32) {
    let ch = (38.0 * unit).min(h - 4.0 * unit);
    // Clear of the called number and of the footer's "no connection" banner, which every shipped
    // layout has at the top (portrait) or on the left (landscape) and at the bottom: on a wide
    // screen over the queue column on the right, on a tall one above the footer.
    let r = if w > h {
        let cw = (w * 0.40).min(w - 4.0 * unit);
        Rect::new(
            (w * 0.585 + (w * 0.40 - cw) / 2.0).round(),
            (h * 0.13 + ((h * 0.785 - ch) / 2.0).max(0.0)).round(),
            cw.round(),
            ch.round(),
        )
    } else {
        let cw = (w * 0.62).max(60.0 * unit).min(w - 4.0 * unit);
        Rect::new(
            ((w - cw) / 2.0).round(),
            (h * 0.92 - ch).max(0.0).round(),
            cw.round(),
            ch.round(),
        )
    };
    // The board around the card stays as it is: after a restart in opening hours residents
    // still read the queue, and the called number, around it. The renderer paints items in
    // order, so the card simply covers what is under it. (It used to take out every text that
    // touched the card, from a time when text was drawn above all shapes: the called number and
    // half the queue vanished for the card's three minutes.)
    // A shadow sets the card off from the board beneath.
    let shadow = 1.2 * unit;
    list.rect(
        Rect::new(
            r.x - shadow,
            r.y - shadow,
            r.w + 2.0 * shadow,
            r.h + 2.0 * shadow,
        ),
        2.0 * unit,
        Color::rgb(0, 0, 0).with_alpha(0.35),
    );
    list.push(Item::Rect(RectItem {
        rect: r,
        radius: 1.5 * unit,
        fill: Color::rgb(0x14, 0x1A, 0x22),
        border: Some(((0.25 * unit).max(1.0), Color::rgb(0x5B, 0x9B, 0xD5))),
    }));
    let inner = r.inset_xy(3.0 * unit, 2.5 * unit);
    let muted = Color::rgb(0x9A, 0xA8, 0xB8);
    let white = Color::rgb(0xF2, 0xF5, 0xF8);
    let mut y = inner.y;
    let caption = TextItem::new(
        "IDENTYFIKACJA TABLICY",
        Rect::new(inner.x, y, inner.w, 3.0 * unit),
        1.8 * unit,
        Color::rgb(0x5B, 0x9B, 0xD5),
    )
    .bold();
    list.text(caption);
    y += 3.2 * unit;
    let name = TextItem::new(
        id.display_id.clone(),
        Rect::new(inner.x, y, inner.w, 8.0 * unit),
        6.5 * unit,
        white,
    )
    .bold()
    .shrink_to(3.5 * unit);
    list.text(name);
    y += 9.5 * unit;
    let addresses = if id.addresses.is_empty() {
        "—".to_owned()
    } else {
        id.addresses.join(", ")
    };
    let rows = [
        ("Komputer", id.host.clone()),
        ("Adres IP", addresses),
        ("Wersja", id.version.clone()),
        (
            "Serwer",
            id.server.clone().unwrap_or_else(|| "nie ustawiono".into()),
        ),
    ];
    let label_w = inner.w * 0.24;
    let row_h = 4.2 * unit;
    for (label, value) in rows {
        list.text(TextItem::new(
            label,
            Rect::new(inner.x, y, label_w, row_h),
            2.2 * unit,
            muted,
        ));
        list.text(
            TextItem::new(
                value,
                Rect::new(inner.x + label_w, y, inner.w - label_w, row_h),
                2.4 * unit,
                white,
            )
            .shrink_to(1.5 * unit),
        );
        y += row_h;
    }
    let foot = Rect::new(inner.x, inner.bottom() - 3.0 * unit, inner.w, 3.0 * unit);
    list.text(
        TextItem::new(
            "Znika samo. Pokaż ponownie: POST /identify na adresie /health.",
            foot,
            1.6 * unit,
            muted,
        )
        .shrink_to(1.2 * unit),
    );
}
