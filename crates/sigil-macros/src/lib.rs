//! `#[native("scheme-name")]`: turns a Rust function with typed parameters into a Sigil
//! native procedure. Use it through `sigil_lang::native`; the documentation of
//! `sigil_lang::natives` describes the parameter and result types.
//!
//! The function stays as written. Beside it the attribute defines a constant named after
//! it in capitals (`fn string_ref` gives `STRING_REF`), a `sigil_lang::natives::NativeDef`
//! whose wrapper — a plain function pointer, so the VM calls it on its fast path — converts
//! the arguments, calls the function and converts its result. The wrapper names the
//! procedure and the argument in every error it makes.
//!
//! Parameters, in this order:
//! - first, optionally, `&mut Ctx` (the machine: allocating, host data, calling Scheme);
//! - required parameters of any type `T: FromValue`, and at most one `&mut T` with
//!   `T: FromValueMut` (a string, bytevector, vector or opaque object to change; not
//!   together with `&mut Ctx`);
//! - optional parameters `Option<T>`: `None` when the call leaves them out;
//! - last, optionally, the rest of the arguments: `#[rest] args: &[Value]` as they are,
//!   or `args: Rest<T>`, each converted to `T`.
//!
//! A result type that mentions `Ctl` makes a control native (it may tail-call or park);
//! any other must be a `NativeResult` (a value, or a `Result` of one).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{parse_macro_input, FnArg, GenericArgument, ItemFn, LitStr, PathArguments, Type};

/// Makes a native procedure named by the attribute's string from the function it is on;
/// see the crate documentation.
#[proc_macro_attribute]
pub fn native(attr: TokenStream, item: TokenStream) -> TokenStream {
    let name = parse_macro_input!(attr as LitStr);
    let mut func = parse_macro_input!(item as ItemFn);
    match expand(&name, &mut func) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// What one parameter of the function is.
enum Param {
    /// `&mut Ctx`: the wrapper passes its context.
    Ctx,
    /// A required argument converted to the type.
    Required(Type),
    /// An optional argument: `Option<T>` with `T` given.
    Optional(Type),
    /// `#[rest] args: &[Value]`: the remaining arguments as they are.
    RestSlice,
    /// `args: Rest<T>`: the remaining arguments, each converted.
    Rest(Type),
    /// `x: &mut T`: a heap object to change, converted last (with `FromValueMut`).
    Mut(Type),
}

fn expand(name: &LitStr, func: &mut ItemFn) -> syn::Result<Tokens> {
    let params = classify(func)?;
    let (min, max) = arity(&params, func)?;
    let lang = quote!(::sigil_lang);
    let arity = match max {
        Some(max) => quote!(#lang::Arity::between(#min, #max)),
        None => quote!(#lang::Arity::at_least(#min)),
    };

    let mut decode = Vec::new();
    // The one `&mut` argument is converted after the others, which only borrow the heap
    // for a moment (they must be owned values, as the borrow checker will insist).
    let mut mutable = Vec::new();
    let mut call = Vec::new();
    let mut k = 0usize;
    for (i, p) in params.iter().enumerate() {
        let a = format_ident!("__a{}", i);
        let heap = quote!(__ctx.heap());
        let at = quote!(__args, #k, __NAME, __ARITY);
        match p {
            Param::Ctx => {
                call.push(quote!(__ctx));
                continue;
            }
            Param::Mut(t) => mutable.push(
                quote!(let #a: &mut #t = #lang::natives::args::arg_mut::<#t>(__ctx, #at)?;),
            ),
            Param::Required(t) => {
                decode.push(quote!(let #a: #t = #lang::natives::args::arg::<#t>(#heap, #at)?;))
            }
            Param::Optional(t) => decode.push(
                quote!(let #a: Option<#t> = #lang::natives::args::opt_arg::<#t>(#heap, #at)?;),
            ),
            Param::RestSlice => decode.push(quote!(let #a = &__args[#k..];)),
            Param::Rest(t) => decode.push(
                quote!(let #a: #lang::natives::Rest<#t> = #lang::natives::args::rest::<#t>(#heap, #at)?;),
            ),
        }
        call.push(quote!(#a));
        k += 1;
    }

    let output = &func.sig.output;
    let control = mentions(quote!(#output), "Ctl");
    let (ret, finish, make) = if control {
        (
            quote!(#lang::NResult<#lang::Ctl>),
            quote!(#lang::natives::args::finish_control),
            quote!(control),
        )
    } else {
        (
            quote!(#lang::NResult),
            quote!(#lang::natives::args::finish),
            quote!(simple),
        )
    };

    let fname = &func.sig.ident;
    let vis = &func.vis;
    let constant = format_ident!("{}", fname.to_string().to_uppercase(), span = fname.span());
    let doc = format!(
        "The native procedure `{}`, made from [`{}`].",
        name.value(),
        fname
    );
    Ok(quote! {
        #func

        #[doc = #doc]
        #vis const #constant: #lang::natives::NativeDef = {
            fn __native(__ctx: &mut #lang::Ctx<'_>, __args: &[#lang::Value]) -> #ret {
                const __NAME: &str = #name;
                const __ARITY: #lang::Arity = #arity;
                #(#decode)*
                #(#mutable)*
                let __result = #lang::natives::args::guard(
                    __NAME,
                    ::std::panic::AssertUnwindSafe(|| #fname(#(#call),*)),
                );
                #finish(__result, __ctx, __NAME)
            }
            #lang::natives::NativeDef::#make(#name, #arity, __native)
        };
    })
}

/// Sorts the parameters into their kinds, and removes the `#[rest]` attributes (the
/// function is emitted again without them).
fn classify(func: &mut ItemFn) -> syn::Result<Vec<Param>> {
    let mut params = Vec::new();
    for (i, input) in func.sig.inputs.iter_mut().enumerate() {
        let FnArg::Typed(pt) = input else {
            return Err(syn::Error::new(
                input.span(),
                "a native is a function, not a method",
            ));
        };
        let before = pt.attrs.len();
        pt.attrs.retain(|a| !a.path().is_ident("rest"));
        let marked_rest = pt.attrs.len() != before;
        let ty = (*pt.ty).clone();
        params.push(if marked_rest {
            Param::RestSlice
        } else if i == 0 && is_ctx(&ty) {
            Param::Ctx
        } else if let Type::Reference(r) = &ty {
            match r.mutability {
                Some(_) => Param::Mut((*r.elem).clone()),
                None => Param::Required(ty),
            }
        } else if let Some(inner) = wrapped(&ty, "Option") {
            Param::Optional(inner)
        } else if let Some(inner) = wrapped(&ty, "Rest") {
            Param::Rest(inner)
        } else {
            Param::Required(ty)
        });
    }
    Ok(params)
}

/// The fewest and most arguments (`None`: any number); checks the parameters' order.
fn arity(params: &[Param], func: &ItemFn) -> syn::Result<(usize, Option<usize>)> {
    let order = |p: &Param| match p {
        Param::Ctx => 0,
        Param::Required(_) | Param::Mut(_) => 1,
        Param::Optional(_) => 2,
        Param::RestSlice | Param::Rest(_) => 3,
    };
    let ranks: Vec<u8> = params.iter().map(order).collect();
    if ranks
        .windows(2)
        .any(|w| w[0] > w[1] || (w[0] == 3 && w[1] == 3))
    {
        return Err(syn::Error::new(
            func.sig.inputs.span(),
            "native parameters go in the order: &mut Ctx, required, Option<T> (optional), \
             then one rest parameter",
        ));
    }
    let muts = params.iter().filter(|p| matches!(p, Param::Mut(_))).count();
    if muts > 1 || (muts == 1 && matches!(params.first(), Some(Param::Ctx))) {
        return Err(syn::Error::new(
            func.sig.inputs.span(),
            "a native takes at most one `&mut` argument, and then no `&mut Ctx`",
        ));
    }
    let required = ranks.iter().filter(|&&r| r == 1).count();
    let optional = ranks.iter().filter(|&&r| r == 2).count();
    let rest = ranks.contains(&3);
    Ok((required, (!rest).then_some(required + optional)))
}

/// Whether `ty` is `&mut Ctx` (any path ending in `Ctx`).
fn is_ctx(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_some() => match &*r.elem {
            Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Ctx"),
            _ => false,
        },
        _ => false,
    }
}

/// `T` when `ty` is `Wrapper<T>`.
fn wrapped(ty: &Type, wrapper: &str) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// Whether `tokens` contain the identifier `name` (at any depth).
fn mentions(tokens: Tokens, name: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), name),
        _ => false,
    })
}
