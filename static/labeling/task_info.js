export function createTaskInfo() { return { show() {}, select() {}, refresh() {} }; }
