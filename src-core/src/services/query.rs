//! A read-only SQL query against a repository's own database (the one
//! *Database for…* made, reached as its own user, which owns that database
//! and nothing else): what the Flow agent's `query_database` tool runs.
//!
//! Read-only is held three ways. The text must be **one statement**: it is
//! lexed here the way the server and its client lex it (quotes, escapes,
//! dollar quotes, nested comments), and a second statement, a client
//! command (a backslash outside quotes) or a MySQL executable comment is
//! refused before anything runs. The statement runs inside a **read-only
//! transaction** that is rolled back. And the session's **defaults** are
//! read-only too (PostgreSQL: `default_transaction_read_only` and
//! `standard_conforming_strings` as startup options, which a role's own
//! settings cannot override; MySQL / MariaDB: the session's access mode and
//! an `sql_mode` without `NO_BACKSLASH_ESCAPES` / `ANSI_QUOTES`, so the
//! server splits the text as the client did). Each query has a time limit.

use super::state::ServiceRecord;
use super::ServiceManager;
use crate::error::{Error, Result};
use ai_desktop_api::services::ServiceKind;

/// How long a query may run, in seconds.
const TIME_LIMIT_SECS: u64 = 15;
/// Characters of a query accepted.
const MAX_QUERY: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    MySql,
}

/// What a query answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryAnswer {
    /// The instance's title (`PostgreSQL`).
    pub service: String,
    pub database: String,
    pub user: String,
    /// A header line, then one line per row; columns split by tabs.
    pub text: String,
}

fn refuse(why: &str) -> Error {
    Error::InvalidInput(why.to_string())
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// `sql` as one statement, comments taken out and line breaks outside
/// quotes made spaces, without its closing `;`; refused (with why) if it
/// holds more than one statement, a client command, or is unfinished.
pub fn one_statement(sql: &str, dialect: Dialect) -> Result<String> {
    if sql.len() > MAX_QUERY {
        return Err(refuse("The query is longer than 16 kB."));
    }
    if sql.contains('\0') {
        return Err(refuse("The query contains a NUL character."));
    }
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    // Where the statement ended (its first `;`), in `out`.
    let mut end_at: Option<usize> = None;
    let mut i = 0;
    let n = chars.len();
    let at = |i: usize| chars.get(i).copied();
    while i < n {
        let c = chars[i];
        match c {
            ';' => {
                end_at.get_or_insert(out.len());
                i += 1;
            }
            '\\' => return Err(refuse(
                "A backslash outside quoted text is not allowed (it would be a client command).",
            )),
            '-' if at(i + 1) == Some('-')
                && (dialect == Dialect::Postgres
                    || at(i + 2).is_none_or(|c| c.is_whitespace() || c.is_control())) =>
            {
                while i < n && chars[i] != '\n' {
                    i += 1;
                }
                out.push(' ');
            }
            '#' if dialect == Dialect::MySql => {
                while i < n && chars[i] != '\n' {
                    i += 1;
                }
                out.push(' ');
            }
            '/' if at(i + 1) == Some('*') => {
                if dialect == Dialect::MySql && matches!(at(i + 2), Some('!') | Some('+')) {
                    return Err(refuse(
                        "MySQL executable comments (/*! … */) are not allowed.",
                    ));
                }
                if dialect == Dialect::MySql && at(i + 2) == Some('M') && at(i + 3) == Some('!') {
                    return Err(refuse(
                        "MariaDB executable comments (/*M! … */) are not allowed.",
                    ));
                }
                // PostgreSQL's comments nest; MySQL's do not.
                let mut depth = 1;
                i += 2;
                loop {
                    match (at(i), at(i + 1)) {
                        (None, _) => return Err(refuse("A comment (/* …) is not closed.")),
                        (Some('*'), Some('/')) => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        (Some('/'), Some('*')) if dialect == Dialect::Postgres => {
                            depth += 1;
                            i += 2;
                        }
                        _ => i += 1,
                    }
                }
                out.push(' ');
            }
            '\'' | '"' | '`' => {
                let quote = c;
                if quote == '`' && dialect == Dialect::Postgres {
                    out.push(c);
                    i += 1;
                    continue;
                }
                // Backslash escapes: MySQL's strings (not its `identifiers`),
                // and PostgreSQL's E'…' strings.
                let escapes = match dialect {
                    Dialect::MySql => quote != '`',
                    Dialect::Postgres => {
                        quote == '\''
                            && i >= 1
                            && matches!(chars[i - 1], 'e' | 'E')
                            && (i < 2 || !ident_char(chars[i - 2]))
                    }
                };
                out.push(c);
                i += 1;
                loop {
                    let Some(d) = at(i) else {
                        return Err(refuse("A quoted text or name is not closed."));
                    };
                    out.push(d);
                    i += 1;
                    if escapes && d == '\\' {
                        match at(i) {
                            Some(e) => {
                                out.push(e);
                                i += 1;
                            }
                            None => return Err(refuse("A quoted text is not closed.")),
                        }
                    } else if d == quote {
                        // A doubled quote is one quote character.
                        if at(i) == Some(quote) {
                            out.push(quote);
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            '$' if dialect == Dialect::Postgres && (i == 0 || !ident_char(chars[i - 1])) => {
                // $tag$ … $tag$ (tag: empty, or a letter or _ then letters, digits, _).
                let mut j = i + 1;
                while j < n && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let tag: String = chars[i + 1..j].iter().collect();
                let is_quote = at(j) == Some('$')
                    && tag
                        .chars()
                        .next()
                        .is_none_or(|c| c.is_alphabetic() || c == '_');
                if !is_quote {
                    out.push(c);
                    i += 1;
                    continue;
                }
                let delimiter: Vec<char> = chars[i..=j].to_vec();
                let body_start = j + 1;
                let close = (body_start..=n.saturating_sub(delimiter.len()))
                    .find(|&k| chars[k..k + delimiter.len()] == delimiter[..]);
                let Some(k) = close else {
                    return Err(refuse("A dollar-quoted text ($…$) is not closed."));
                };
                out.extend(&chars[i..k + delimiter.len()]);
                i = k + delimiter.len();
            }
            '\n' | '\r' => {
                out.push(' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    if let Some(end) = end_at {
        if !out[end..].trim().is_empty() {
            return Err(refuse(
                "Only one statement at a time: the query has more after its \";\".",
            ));
        }
        out.truncate(end);
    }
    let statement = out.trim().to_string();
    if statement.is_empty() {
        return Err(refuse("The query is empty."));
    }
    Ok(statement)
}

impl ServiceManager {
    /// Runs `sql` (one statement, read-only) in the database made for the
    /// repository — in `instance` if it has several — as its own user.
    pub async fn query_repo_database(
        &self,
        repository_id: i64,
        instance: Option<&str>,
        sql: &str,
    ) -> Result<QueryAnswer> {
        let file = self.state.load()?;
        let made: Vec<_> = file
            .databases
            .values()
            .filter(|d| d.repository_id == repository_id)
            .filter(|d| instance.is_none_or(|i| d.instance == i))
            .filter(|d| file.services.contains_key(&d.instance))
            .collect();
        let db = match made.as_slice() {
            [] => {
                return Err(Error::NotFound(match instance {
                    Some(i) => format!("The repository has no database of its own in {i}."),
                    None => "The repository has no database of its own; the user can make one on the Services page (More ▾ → Database for…).".into(),
                }))
            }
            [one] => (*one).clone(),
            several => {
                let names: Vec<&str> = several.iter().map(|d| d.instance.as_str()).collect();
                return Err(Error::InvalidInput(format!(
                    "The repository has databases in {}; say which with \"service\".",
                    names.join(", ")
                )));
            }
        };
        let record: ServiceRecord = file.services[&db.instance].clone();
        let dialect = match record.kind {
            ServiceKind::Postgresql => Dialect::Postgres,
            k if k.is_mysql_like() => Dialect::MySql,
            k => return Err(Error::InvalidInput(format!("{} takes no SQL.", k.label()))),
        };
        let statement = one_statement(sql, dialect)?;
        let docker = self.docker().await?;
        self.running(&docker, &record, "query it").await?;
        let container = super::target(&record)?.to_string();
        let run = async {
            match dialect {
                Dialect::Postgres => {
                    let options = format!(
                        "-c default_transaction_read_only=on -c standard_conforming_strings=on -c statement_timeout={}s",
                        TIME_LIMIT_SECS
                    );
                    super::backup::exec_env(
                        &docker,
                        &container,
                        &[
                            "psql",
                            "-X",
                            "-q",
                            "-A",
                            "-F",
                            "\t",
                            "-P",
                            "footer=off",
                            "-v",
                            "ON_ERROR_STOP=1",
                            "-U",
                            &db.user,
                            "-d",
                            &db.database,
                            "-c",
                            "BEGIN READ ONLY",
                            "-c",
                            &statement,
                            "-c",
                            "ROLLBACK",
                        ],
                        &[
                            format!("PGPASSWORD={}", db.password),
                            format!("PGOPTIONS={options}"),
                        ],
                        None,
                        None,
                    )
                    .await
                }
                Dialect::MySql => {
                    let (client, _) = super::catalog::sql_programs(record.kind)
                        .ok_or_else(|| "no SQL client".to_string())?;
                    let limit = if record.kind == ServiceKind::Mariadb {
                        format!("SET SESSION max_statement_time = {TIME_LIMIT_SECS};")
                    } else {
                        format!(
                            "SET SESSION max_execution_time = {};",
                            TIME_LIMIT_SECS * 1000
                        )
                    };
                    let text = format!(
                        "SET SESSION sql_mode = REPLACE(REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', ''), 'ANSI_QUOTES', ''); \
                         {limit} SET SESSION TRANSACTION READ ONLY; START TRANSACTION READ ONLY; {statement}; ROLLBACK;"
                    );
                    super::backup::exec_env(
                        &docker,
                        &container,
                        &[client, "--batch", "-u", &db.user, "-e", &text, &db.database],
                        &[format!("MYSQL_PWD={}", db.password)],
                        None,
                        None,
                    )
                    .await
                }
            }
        };
        let answer =
            tokio::time::timeout(std::time::Duration::from_secs(TIME_LIMIT_SECS + 10), run)
                .await
                .map_err(|_| {
                    Error::Unavailable(format!(
                        "The query did not answer within {} s.",
                        TIME_LIMIT_SECS + 10
                    ))
                })?
                .map_err(|e| Error::InvalidInput(format!("The database refused the query: {e}")))?;
        Ok(QueryAnswer {
            service: record.title(),
            database: db.database.clone(),
            user: db.user.clone(),
            text: answer,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{one_statement, Dialect};

    fn pg(s: &str) -> Result<String, String> {
        one_statement(s, Dialect::Postgres).map_err(|e| e.to_string())
    }

    fn my(s: &str) -> Result<String, String> {
        one_statement(s, Dialect::MySql).map_err(|e| e.to_string())
    }

    #[test]
    fn one_statement_passes_with_its_comments_and_line_breaks_taken_out() {
        assert_eq!(pg("SELECT 1;").unwrap(), "SELECT 1");
        assert_eq!(pg("  SELECT 1 ;  ;\n -- done\n").unwrap(), "SELECT 1");
        assert_eq!(
            pg("SELECT a -- the a\nFROM t /* all */ WHERE b = 'x;y'").unwrap(),
            "SELECT a   FROM t   WHERE b = 'x;y'"
        );
        assert_eq!(pg("SELECT 'it''s; fine'").unwrap(), "SELECT 'it''s; fine'");
        assert_eq!(
            pg("SELECT \"a;b\" FROM t").unwrap(),
            "SELECT \"a;b\" FROM t"
        );
        assert_eq!(
            pg("SELECT $$a; b$$, $x$;$x$").unwrap(),
            "SELECT $$a; b$$, $x$;$x$"
        );
        // A standard string keeps its backslash; the quote after it ends it.
        assert_eq!(pg("SELECT 'C:\\'").unwrap(), "SELECT 'C:\\'");
        assert_eq!(pg("SELECT E'it\\'s; ok'").unwrap(), "SELECT E'it\\'s; ok'");
        assert_eq!(pg("SELECT a$1$ FROM t").unwrap(), "SELECT a$1$ FROM t");
        assert_eq!(
            my("SELECT 'it\\'s; ok' # why\n").unwrap(),
            "SELECT 'it\\'s; ok'"
        );
        assert_eq!(my("SELECT `a;b`, 1--1").unwrap(), "SELECT `a;b`, 1--1");
    }

    #[test]
    fn a_second_statement_is_refused_however_it_is_hidden() {
        for sql in [
            "SELECT 1; DELETE FROM t",
            "SELECT 1;DELETE FROM t;",
            // Not an E-string: the backslash is a character, the quote ends it.
            "SELECT 'a\\'; DELETE FROM t; --'",
            "SELECT xe'a\\'; DELETE FROM t; --'",
            // PostgreSQL's comments nest: the quote is inside the comment.
            "SELECT 1 /* /* */ ' */ ; DELETE FROM t; -- '",
            // $1 is a parameter, not a dollar quote.
            "SELECT $1; DELETE FROM t; $1$",
        ] {
            assert!(pg(sql).unwrap_err().contains("one statement"), "{sql}");
        }
        for sql in [
            "SELECT 1; DELETE FROM t",
            // Not nested in MySQL: the comment ends at the first */.
            "SELECT 1 /* /* */ ; DELETE FROM t",
            // `--x` is not a comment in MySQL.
            "SELECT 1 --x\n; DELETE FROM t",
        ] {
            assert!(my(sql).unwrap_err().contains("one statement"), "{sql}");
        }
    }

    #[test]
    fn client_commands_unfinished_text_and_executable_comments_are_refused() {
        assert!(pg("SELECT 1 \\! rm -rf /")
            .unwrap_err()
            .contains("backslash"));
        assert!(pg("\\copy t to '/tmp/x'")
            .unwrap_err()
            .contains("backslash"));
        assert!(my("SELECT 1\\G").unwrap_err().contains("backslash"));
        assert!(my("SELECT /*! 1; DROP TABLE t */ 2")
            .unwrap_err()
            .contains("executable"));
        assert!(my("SELECT /*M!100000 1 */ 2")
            .unwrap_err()
            .contains("executable"));
        assert!(pg("SELECT 'open").unwrap_err().contains("not closed"));
        assert!(pg("SELECT $a$ open").unwrap_err().contains("not closed"));
        assert!(pg("SELECT /* /* */ open")
            .unwrap_err()
            .contains("not closed"));
        assert!(my("SELECT 'a\\'").unwrap_err().contains("not closed"));
        assert!(pg(" ; -- nothing").unwrap_err().contains("empty"));
        assert!(pg("SELECT '\0'").unwrap_err().contains("NUL"));
        assert!(pg(&"x".repeat(20_000)).unwrap_err().contains("16 kB"));
    }
}
