//! Who sees what — the one place that decides it. An account manager and a manager see their
//! own team's accounts and cases (the manager also reassigns and approves); an admin sees
//! everything; a user without a team sees nothing. Every query that reads accounts or cases takes
//! a `Scope` and applies `Scope::sql_params`.

use uuid::Uuid;

use super::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Team(Uuid),
    Nothing,
}

impl Scope {
    pub fn for_user(role: Role, team_id: Option<Uuid>) -> Scope {
        match (role, team_id) {
            (Role::Admin, _) => Scope::All,
            (_, Some(team)) => Scope::Team(team),
            (_, None) => Scope::Nothing,
        }
    }

    /// `(all, team)` for the SQL predicate `($all or team_id = $team)`. `Nothing` matches no
    /// row because `team_id = null` is never true.
    pub fn sql_params(self) -> (bool, Option<Uuid>) {
        match self {
            Scope::All => (true, None),
            Scope::Team(team) => (false, Some(team)),
            Scope::Nothing => (false, None),
        }
    }

    /// Whether a record of `team_id` is visible.
    pub fn sees(self, team_id: Uuid) -> bool {
        match self {
            Scope::All => true,
            Scope::Team(team) => team == team_id,
            Scope::Nothing => false,
        }
    }
}

/// Whether `role` may reassign cases to another owner.
pub fn may_reassign(role: Role) -> bool {
    role.at_least(Role::Manager)
}

/// Whether a user may mark a case's lessons as applying to all clients (or unmark them): the
/// case's owner, and managers and admins. Such a lesson is shown on every new case of the team.
pub fn may_mark_for_all_clients(role: Role, owns_case: bool) -> bool {
    owns_case || role.at_least(Role::Manager)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_see_everything_and_others_their_team() {
        let team = Uuid::new_v4();
        let other = Uuid::new_v4();
        assert_eq!(Scope::for_user(Role::Admin, None), Scope::All);
        assert_eq!(Scope::for_user(Role::Admin, Some(team)), Scope::All);
        for role in [Role::AccountManager, Role::Manager] {
            let scope = Scope::for_user(role, Some(team));
            assert!(scope.sees(team));
            assert!(!scope.sees(other));
            assert_eq!(Scope::for_user(role, None), Scope::Nothing);
            assert!(!Scope::for_user(role, None).sees(team));
        }
    }

    #[test]
    fn the_sql_parameters_match_what_the_scope_sees() {
        let team = Uuid::new_v4();
        assert_eq!(Scope::All.sql_params(), (true, None));
        assert_eq!(Scope::Team(team).sql_params(), (false, Some(team)));
        assert_eq!(Scope::Nothing.sql_params(), (false, None));
    }

    #[test]
    fn only_managers_and_admins_reassign() {
        assert!(!may_reassign(Role::AccountManager));
        assert!(may_reassign(Role::Manager));
        assert!(may_reassign(Role::Admin));
    }

    #[test]
    fn owners_managers_and_admins_mark_lessons_for_all_clients() {
        assert!(may_mark_for_all_clients(Role::AccountManager, true));
        assert!(!may_mark_for_all_clients(Role::AccountManager, false));
        assert!(may_mark_for_all_clients(Role::Manager, false));
        assert!(may_mark_for_all_clients(Role::Admin, false));
    }
}
