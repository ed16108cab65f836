//! The `#[kindtest::test]` attribute.
//!
//! It keeps the function as written and registers it with the kindtest harness (through
//! `inventory`) under the deterministic name `module_path!()::fn_name`, which is what
//! `--list` prints and what nextest passes back with `--exact`.
//!
//! ```ignore
//! #[kindtest::test(timeout = "2m", group = "crds")]
//! async fn installs(ctx: kindtest::Context) -> kindtest::Result<()> { Ok(()) }
//! ```
//!
//! Options: `ignore` or `ignore = "reason"`, `timeout = "90s"` (`ms`, `s`, `m`, `h`), `group = "name"`
//! (a nextest test group; the harness also serialises members itself, see kindtest's docs).

use proc_macro::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, FnArg, ItemFn, Lit, Meta, Token, parse_macro_input};

/// Registers a function as a kindtest test. See the crate docs for the accepted shapes.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let metas = parse_macro_input!(attr with Punctuated::<Meta, Token![,]>::parse_terminated);
    let func = parse_macro_input!(item as ItemFn);
    match expand(metas, func) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

struct Options {
    ignore: bool,
    ignore_reason: Option<String>,
    timeout_ms: Option<u64>,
    group: Option<String>,
}

fn lit_str(expr: &Expr) -> syn::Result<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.value()),
        other => Err(syn::Error::new(other.span(), "expected a string literal")),
    }
}

/// Parses `500ms`, `90s`, `2m`, `1h` into milliseconds.
fn parse_duration_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = text.split_at(split);
    let n: u64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(factor).filter(|ms| *ms > 0)
}

fn parse_options(metas: Punctuated<Meta, Token![,]>) -> syn::Result<Options> {
    let mut opts = Options {
        ignore: false,
        ignore_reason: None,
        timeout_ms: None,
        group: None,
    };
    for meta in metas {
        match &meta {
            Meta::Path(p) if p.is_ident("ignore") => opts.ignore = true,
            Meta::NameValue(nv) if nv.path.is_ident("ignore") => {
                opts.ignore = true;
                opts.ignore_reason = Some(lit_str(&nv.value)?);
            }
            Meta::NameValue(nv) if nv.path.is_ident("timeout") => {
                let text = lit_str(&nv.value)?;
                opts.timeout_ms = Some(parse_duration_ms(&text).ok_or_else(|| {
                    syn::Error::new(
                        nv.value.span(),
                        format!(
                            "invalid timeout `{text}`: use e.g. \"500ms\", \"90s\", \"2m\", \"1h\""
                        ),
                    )
                })?);
            }
            Meta::NameValue(nv) if nv.path.is_ident("group") => {
                let g = lit_str(&nv.value)?;
                if g.is_empty()
                    || !g
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(syn::Error::new(
                        nv.value.span(),
                        "group names use letters, digits, `-` and `_`",
                    ));
                }
                opts.group = Some(g);
            }
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "unknown kindtest::test option (expected `ignore`, `ignore = \"why\"`, `timeout = \"90s\"`, `group = \"name\"`)",
                ));
            }
        }
    }
    Ok(opts)
}

fn expand(
    metas: Punctuated<Meta, Token![,]>,
    func: ItemFn,
) -> syn::Result<proc_macro2::TokenStream> {
    let opts = parse_options(metas)?;
    let sig = &func.sig;
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            sig.generics.span(),
            "kindtest tests cannot be generic",
        ));
    }
    let takes_ctx = match sig.inputs.len() {
        0 => false,
        1 => match &sig.inputs[0] {
            FnArg::Typed(_) => true,
            FnArg::Receiver(r) => {
                return Err(syn::Error::new(r.span(), "kindtest tests cannot take self"));
            }
        },
        _ => {
            return Err(syn::Error::new(
                sig.inputs.span(),
                "a kindtest test takes no argument or one `kindtest::Context`",
            ));
        }
    };
    let is_async = sig.asyncness.is_some();
    let ident = &sig.ident;
    let name = ident.to_string();

    let call = if takes_ctx {
        quote!(#ident(ctx))
    } else {
        quote!(#ident())
    };
    let body = match (is_async, takes_ctx) {
        (true, true) => quote! {
            ::kindtest::__private::TestBody::Async(|ctx| ::std::boxed::Box::pin(async move {
                ::kindtest::__private::IntoTestResult::into_test_result(#call.await)
            }))
        },
        (true, false) => quote! {
            ::kindtest::__private::TestBody::AsyncNoCluster(|| ::std::boxed::Box::pin(async move {
                ::kindtest::__private::IntoTestResult::into_test_result(#call.await)
            }))
        },
        (false, true) => quote! {
            ::kindtest::__private::TestBody::Sync(|ctx| {
                ::kindtest::__private::IntoTestResult::into_test_result(#call)
            })
        },
        (false, false) => quote! {
            ::kindtest::__private::TestBody::SyncNoCluster(|| {
                ::kindtest::__private::IntoTestResult::into_test_result(#call)
            })
        },
    };
    let ignore = opts.ignore;
    let reason = match &opts.ignore_reason {
        Some(r) => quote!(::std::option::Option::Some(#r)),
        None => quote!(::std::option::Option::None),
    };
    let timeout = match opts.timeout_ms {
        Some(ms) => quote!(::std::option::Option::Some(#ms)),
        None => quote!(::std::option::Option::None),
    };
    let group = match &opts.group {
        Some(g) => quote!(::std::option::Option::Some(#g)),
        None => quote!(::std::option::Option::None),
    };
    Ok(quote! {
        #func

        const _: () = {
            ::kindtest::__private::inventory::submit! {
                ::kindtest::__private::TestDef {
                    name: ::std::concat!(::std::module_path!(), "::", #name),
                    file: ::std::file!(),
                    line: ::std::line!(),
                    ignore: #ignore,
                    ignore_reason: #reason,
                    timeout_ms: #timeout,
                    group: #group,
                    body: #body,
                }
            }
        };
    })
}

#[cfg(test)]
mod tests {
    use super::parse_duration_ms;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("90s"), Some(90_000));
        assert_eq!(parse_duration_ms("2m"), Some(120_000));
        assert_eq!(parse_duration_ms("1h"), Some(3_600_000));
        assert_eq!(parse_duration_ms("0s"), None);
        assert_eq!(parse_duration_ms("90"), None);
        assert_eq!(parse_duration_ms("s"), None);
        assert_eq!(parse_duration_ms("3 weeks"), None);
    }
}
