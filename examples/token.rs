//! The dispatch table shows what is registered.
//!
//! Python:
//! ```python
//! copyreg.pickle(Token, reduce_token)
//! assert Token in copyreg.dispatch_table
//! ```

/// A type that derives nothing: registered at run time, as Python does.
#[derive(Debug, PartialEq)]
struct Token {
    secret: String,
}

fn main() -> Result<(), copyreg::Error> {
    assert!(!copyreg::dispatch_table().contains::<Token>());
    copyreg::pickle_as(
        "auth.Token",
        |t: &Token| (t.secret.clone(),),
        |secret: String| Token { secret },
    )?;
    let table = copyreg::dispatch_table();
    assert!(table.contains::<Token>());
    let entry = table.get::<Token>().expect("just registered");
    println!("{} -> {}", entry.name(), entry.type_name());
    let token = Token {
        secret: "s3cr3t".into(),
    };
    assert_eq!(copyreg::loads::<Token>(&copyreg::dumps(&token)?)?, token);
    Ok(())
}
