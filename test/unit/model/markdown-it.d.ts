// markdown-it ships no types; the display tests use it as an independent CommonMark renderer.
declare module 'markdown-it' {
  export default class MarkdownIt {
    constructor(options?: { html?: boolean; linkify?: boolean });
    render(src: string): string;
    renderInline(src: string): string;
  }
}
