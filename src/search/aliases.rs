//! Query-time actor aliases: a query word or phrase that names a threat
//! actor also matches every article whose actor facet holds that actor, so
//! "Violet Typhoon" finds articles that only say APT31.
//!
//! Expanding the query, rather than indexing every alias of every actor an
//! article names, keeps those words out of the index (3% more words on
//! generated articles, 7% on the bundled corpus), and a word that is only
//! part of a name ("panda") no longer matches every actor that has it.

use tantivy::query::Occur;
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::Facet;

use crate::gazetteer::Gazetteer;
use crate::model::facet::ACTOR;

/// The most words an alias typed without quotes is looked up over.
const MAX_ALIAS_WORDS: usize = 5;

/// Rewrites `ast` so that each unfielded word, run of required words or
/// phrase that resolves to an actor matches either as text or as that
/// actor's facet.
pub fn expand(ast: UserInputAst, gazetteer: &Gazetteer) -> UserInputAst {
    match ast {
        UserInputAst::Leaf(leaf) => {
            match unfielded_text(&leaf).and_then(|t| actor_of(t, gazetteer)) {
                Some(actor) => either(UserInputAst::Leaf(leaf), actor),
                None => UserInputAst::Leaf(leaf),
            }
        }
        UserInputAst::Boost(inner, boost) => {
            UserInputAst::Boost(Box::new(expand(*inner, gazetteer)), boost)
        }
        UserInputAst::Clause(clauses) => UserInputAst::Clause(expand_clauses(&clauses, gazetteer)),
    }
}

/// Expands a clause list. Required bare words next to each other are
/// looked up together too ("judgment panda" names APT31), longest first.
fn expand_clauses(
    clauses: &[(Option<Occur>, UserInputAst)],
    gazetteer: &Gazetteer,
) -> Vec<(Option<Occur>, UserInputAst)> {
    let mut expanded = Vec::with_capacity(clauses.len());
    let mut at = 0;
    while at < clauses.len() {
        let (occur, ast) = &clauses[at];
        match alias_run(&clauses[at..], gazetteer) {
            Some((1, actor)) => {
                expanded.push((*occur, either(ast.clone(), actor)));
                at += 1;
            }
            Some((length, actor)) => {
                let words = clauses[at..at + length]
                    .iter()
                    .map(|(_, word)| (Some(Occur::Must), word.clone()))
                    .collect();
                expanded.push((*occur, either(UserInputAst::Clause(words), actor)));
                at += length;
            }
            None => {
                expanded.push((*occur, expand(ast.clone(), gazetteer)));
                at += 1;
            }
        }
    }
    expanded
}

/// How many clauses from the first name an actor, and which: a phrase or
/// a word alone, or the longest run of required bare words.
fn alias_run(
    clauses: &[(Option<Occur>, UserInputAst)],
    gazetteer: &Gazetteer,
) -> Option<(usize, String)> {
    let (first_occur, UserInputAst::Leaf(first)) = clauses.first()? else {
        return None;
    };
    let first_text = unfielded_text(first)?;
    if !is_bare_word(&clauses[0].1) || !is_required(*first_occur) {
        return actor_of(first_text, gazetteer).map(|actor| (1, actor));
    }
    let mut words = Vec::new();
    let mut found = None;
    for (occur, ast) in clauses.iter().take(MAX_ALIAS_WORDS) {
        let UserInputAst::Leaf(leaf) = ast else {
            break;
        };
        if !is_bare_word(ast) || !is_required(*occur) {
            break;
        }
        let Some(word) = unfielded_text(leaf) else {
            break;
        };
        words.push(word);
        if let Some(actor) = actor_of(&words.join(" "), gazetteer) {
            found = Some((words.len(), actor));
        }
    }
    found
}

/// Whether a clause must match (no marker means "must": the parser
/// requires every term by default).
fn is_required(occur: Option<Occur>) -> bool {
    matches!(occur, None | Some(Occur::Must))
}

/// The text of a literal that searches the default fields, if it is one.
fn unfielded_text(leaf: &UserInputLeaf) -> Option<&str> {
    match leaf {
        UserInputLeaf::Literal(UserInputLiteral {
            field_name: None,
            phrase,
            prefix: false,
            ..
        }) => Some(phrase),
        _ => None,
    }
}

/// Whether `ast` is one unquoted, unfielded word.
fn is_bare_word(ast: &UserInputAst) -> bool {
    matches!(ast, UserInputAst::Leaf(leaf) if matches!(
        leaf.as_ref(),
        UserInputLeaf::Literal(UserInputLiteral {
            field_name: None,
            delimiter: Delimiter::None,
            prefix: false,
            ..
        })
    ))
}

/// The canonical name of the actor `text` names, if any. A single ordinary
/// word ("lead", "snake") names an actor only when capitalised, as in
/// article text: lower case, it is the word.
fn actor_of(text: &str, gazetteer: &Gazetteer) -> Option<String> {
    let text = text.trim();
    let actor = gazetteer.actor_alias(text)?;
    let one_ordinary_word = !text.contains(char::is_whitespace) && actor.only_ordinary;
    let capitalised = text.chars().next().is_some_and(char::is_uppercase);
    (!one_ordinary_word || capitalised).then(|| actor.name.to_string())
}

/// `text` as written, or the actor's facet.
fn either(text: UserInputAst, actor: String) -> UserInputAst {
    let facet = UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
        field_name: Some(ACTOR.name.to_string()),
        phrase: Facet::from_path([actor]).to_string(),
        delimiter: Delimiter::DoubleQuotes,
        slop: 0,
        prefix: false,
    })));
    UserInputAst::Clause(vec![
        (Some(Occur::Should), text),
        (Some(Occur::Should), facet),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(query: &str) -> String {
        let ast = tantivy::query_grammar::parse_query(query).expect("valid query");
        format!("{:?}", expand(ast, &Gazetteer::embedded()))
    }

    #[test]
    fn words_runs_and_phrases_that_name_an_actor_also_match_its_facet() {
        for query in [
            "Zirconium",
            "ZIRCONIUM",
            "\"Judgment Panda\"",
            "judgment panda",
            "APT-31",
        ] {
            let ast = expanded(query);
            assert!(ast.contains("\"actor\":\"/APT31\""), "{query}: {ast}");
        }
        // A single word expands whatever its clause: optional or excluded.
        let ast = expanded("Zirconium OR Nobelium");
        assert!(ast.contains("/APT31") && ast.contains("/APT29"), "{ast}");
        assert!(expanded("phishing -Zirconium").contains("/APT31"));
        // An ordinary-word alias counts when capitalised, as in articles.
        assert!(expanded("Snake").contains("/Turla"));
        assert!(expanded("strontium OR STRONTIUM").contains("/APT28"));
        let ast = expanded("phishing judgment panda ministry");
        assert!(ast.contains("/APT31"), "{ast}");
        assert!(
            ast.contains("phishing") && ast.contains("ministry"),
            "{ast}"
        );
    }

    #[test]
    fn other_words_fields_and_prefixes_are_left_alone() {
        for query in [
            "panda",
            "snake",
            "zirconium",
            "strontium",
            "phishing campaign",
            "title:zirconium",
            "zirconi*",
            "judgment OR panda",
        ] {
            let ast = expanded(query);
            assert!(!ast.contains("actor"), "{query}: {ast}");
        }
    }
}
