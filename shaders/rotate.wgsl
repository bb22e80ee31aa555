// Copies a rendered board onto the screen turned by quarter turns clockwise, pixel for pixel,
// for monitors mounted in portrait. The source has the board's own (upright) size; the target
// is the panel's.

struct Params {
    // Quarter turns clockwise: 0, 1, 2 or 3.
    turns: u32,
};

@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    // One triangle covering the whole target.
    let x = f32((index << 1u) & 2u);
    let y = f32(index & 2u);
    return vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let size = vec2<i32>(textureDimensions(source));
    let t = vec2<i32>(floor(position.xy));
    // Target pixel t shows source pixel s; the target is size.yx for odd turns.
    var s: vec2<i32>;
    switch params.turns {
        case 1u: { s = vec2<i32>(t.y, size.y - 1 - t.x); }
        case 2u: { s = vec2<i32>(size.x - 1 - t.x, size.y - 1 - t.y); }
        case 3u: { s = vec2<i32>(size.x - 1 - t.y, t.x); }
        default: { s = t; }
    }
    s = clamp(s, vec2<i32>(0, 0), size - vec2<i32>(1, 1));
    return textureLoad(source, s, 0);
}
