// Anti-aliased shapes drawn as instanced quads: rounded rectangles with an optional inner border,
// and right-pointing block arrows. A large rectangle arrives as up to eleven quads (see
// src/render/shapes.rs): its flat interior, a cross of up to three quads drawn by `fs_solid`
// without any distance function, and its four corners' squares and the four thin strips along its
// straight edges (border and anti-aliased edge), drawn by `fs_main`. On a software rasteriser the
// distance function over a whole panel's area was most of a frame's cost. Colours arrive as straight-alpha colours already converted to
// the target's blending space (linear for sRGB targets); the fragment shader outputs premultiplied
// alpha so that a border and a fill of different opacity mix correctly.

struct Globals {
    // Size of the render target in pixels.
    screen: vec2<f32>,
    _pad: vec2<f32>,
};

@group(0) @binding(0) var<uniform> globals: Globals;

struct Instance {
    // x, y, width, height in pixels, origin top left.
    @location(0) rect: vec4<f32>,
    // corner radius, border width, kind (0 = rounded rectangle, 1 = arrow), unused.
    @location(1) params: vec4<f32>,
    @location(2) fill: vec4<f32>,
    @location(3) border: vec4<f32>,
    // The part of the shape this quad covers: x0, y0, x1, y1 in pixels.
    @location(4) quad: vec4<f32>,
};

struct VsOut {
    @builtin(position) position: vec4<f32>,
    // The rectangle's top-left corner in pixels.
    @location(0) @interpolate(flat) origin: vec2<f32>,
    @location(1) @interpolate(flat) size: vec2<f32>,
    @location(2) @interpolate(flat) params: vec4<f32>,
    @location(3) @interpolate(flat) fill: vec4<f32>,
    @location(4) @interpolate(flat) border: vec4<f32>,
};

// The clip-space position of corner `vertex` of a triangle strip, (0,0) (1,0) (0,1) (1,1), of the
// quad x0, y0, x1, y1 in pixels.
fn quad_corner(vertex: u32, quad: vec4<f32>) -> vec4<f32> {
    let corner = vec2<f32>(f32(vertex & 1u), f32(vertex >> 1u));
    let pixel = mix(quad.xy, quad.zw, corner);
    return vec4<f32>(
        pixel.x / globals.screen.x * 2.0 - 1.0,
        1.0 - pixel.y / globals.screen.y * 2.0,
        0.0,
        1.0,
    );
}

@vertex
fn vs_main(@builtin(vertex_index) vertex: u32, inst: Instance) -> VsOut {
    var out: VsOut;
    out.position = quad_corner(vertex, inst.quad);
    out.origin = inst.rect.xy;
    out.size = inst.rect.zw;
    out.params = inst.params;
    out.fill = inst.fill;
    out.border = inst.border;
    return out;
}

// Signed distance from p to a box centred at the origin with half-size `half` and corner radius r.
fn sd_round_box(p: vec2<f32>, half: vec2<f32>, r: f32) -> f32 {
    let q = abs(p) - half + vec2<f32>(r);
    return length(max(q, vec2<f32>(0.0))) + min(max(q.x, q.y), 0.0) - r;
}

// Signed distance (exact inside, close enough outside for a one-pixel ramp) to a right-pointing
// block arrow filling a w × h box whose top-left corner is the origin.
fn sd_arrow(p: vec2<f32>, size: vec2<f32>) -> f32 {
    let w = size.x;
    let h = size.y;
    let head = min(w, h * 0.6);
    let base = w - head;
    // Head: triangle (base, 0) - (w, h/2) - (base, h), as the intersection of three half-planes.
    let n_top = normalize(vec2<f32>(h * 0.5, -head));
    let n_bottom = normalize(vec2<f32>(h * 0.5, head));
    let d_left = base - p.x;
    let d_top = dot(p - vec2<f32>(base, 0.0), n_top);
    let d_bottom = dot(p - vec2<f32>(base, h), n_bottom);
    let d_head = max(d_left, max(d_top, d_bottom));
    // Shaft: a box from the left edge into the head, 44% of the height thick.
    let shaft_half = vec2<f32>((base + 1.0) * 0.5, h * 0.22);
    let d_shaft = sd_round_box(p - vec2<f32>(shaft_half.x, h * 0.5), shaft_half, 0.0);
    if base <= 0.0 {
        return d_head;
    }
    return min(d_head, d_shaft);
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    // The pixel's centre relative to the rectangle, exactly: a position interpolated across the
    // quad would differ in its last bits between a whole shape's quad and the strips of a split
    // one, and so would the anti-aliased edge.
    let local = in.position.xy - in.origin;
    let half = in.size * 0.5;
    let p = local - half;
    let fill = vec4<f32>(in.fill.rgb * in.fill.a, in.fill.a);
    var color: vec4<f32>;
    var dist: f32;
    if in.params.z > 0.5 {
        dist = sd_arrow(local, in.size);
        color = fill;
    } else {
        let radius = in.params.x;
        let border_width = in.params.y;
        dist = sd_round_box(p, half, radius);
        color = fill;
        if border_width > 0.0 {
            let inner = sd_round_box(
                p,
                max(half - vec2<f32>(border_width), vec2<f32>(0.0)),
                max(radius - border_width, 0.0),
            );
            let border = vec4<f32>(in.border.rgb * in.border.a, in.border.a);
            color = mix(fill, border, clamp(0.5 + inner, 0.0, 1.0));
        }
    }
    // Coverage of the pixel by the shape: a one-pixel linear ramp across the edge.
    let coverage = clamp(0.5 - dist, 0.0, 1.0);
    return color * coverage;
}

// The flat interior of a rectangle: the fill, exactly as `fs_main` computes it where the coverage
// is 1 and no border reaches. Its own vertex stage passes the fill interpolated, not flat: with a
// flat input, lavapipe's fast path for rectangles in BGRA targets (what an X11 window is) filled
// whole 64-pixel tiles with wrong colours (tests/render.rs,
// `a_windows_format_draws_what_offscreen_frames_draw`). Every vertex carries the same fill, so
// the interpolated value is that fill.
struct SolidOut {
    @builtin(position) position: vec4<f32>,
    @location(0) fill: vec4<f32>,
};

@vertex
fn vs_solid(@builtin(vertex_index) vertex: u32, inst: Instance) -> SolidOut {
    var out: SolidOut;
    out.position = quad_corner(vertex, inst.quad);
    out.fill = vec4<f32>(inst.fill.rgb * inst.fill.a, inst.fill.a);
    return out;
}

@fragment
fn fs_solid(in: SolidOut) -> @location(0) vec4<f32> {
    return in.fill;
}
