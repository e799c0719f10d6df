// A file tree from a flat list of paths, folders first, for the preview.
export interface TreeNode {
  name: string;
  path: string;
  children: TreeNode[] | null; // null for a file
}

/** The tree of `paths` (`a/b.txt`): folders before files, each sorted by name. */
export function buildTree(paths: string[]): TreeNode[] {
  const root: TreeNode = { name: "", path: "", children: [] };
  for (const p of paths) {
    const parts = p.split("/").filter((x) => x.length > 0);
    let node = root;
    parts.forEach((part, i) => {
      const isFile = i === parts.length - 1;
      const path = parts.slice(0, i + 1).join("/");
      const kids = node.children as TreeNode[];
      let next = kids.find((k) => k.name === part && (k.children === null) === isFile);
      if (!next) {
        next = { name: part, path, children: isFile ? null : [] };
        kids.push(next);
      }
      node = next;
    });
  }
  const sort = (nodes: TreeNode[]): TreeNode[] => {
    nodes.sort((a, b) => {
      if ((a.children === null) !== (b.children === null)) return a.children === null ? 1 : -1;
      return a.name.localeCompare(b.name);
    });
    for (const n of nodes) if (n.children) sort(n.children);
    return nodes;
  };
  return sort(root.children as TreeNode[]);
}

/** The folders to show open at first: every folder down to `depth` levels. */
export function openFolders(nodes: TreeNode[], depth = 1): Set<string> {
  const open = new Set<string>();
  const walk = (ns: TreeNode[], d: number) => {
    for (const n of ns) {
      if (n.children && d < depth) {
        open.add(n.path);
        walk(n.children, d + 1);
      }
    }
  };
  walk(nodes, 0);
  return open;
}

/** The rows shown, depth-first, skipping the insides of closed folders. */
export function visibleRows(nodes: TreeNode[], open: Set<string>): { node: TreeNode; depth: number }[] {
  const out: { node: TreeNode; depth: number }[] = [];
  const walk = (ns: TreeNode[], depth: number) => {
    for (const n of ns) {
      out.push({ node: n, depth });
      if (n.children && open.has(n.path)) walk(n.children, depth + 1);
    }
  };
  walk(nodes, 0);
  return out;
}
